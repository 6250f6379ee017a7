import { TestApp } from '../support/test-app';
import {
  ENTERPRISE_USER_SCHEMA,
  LIST_RESPONSE_SCHEMA,
  SCIM_BASE_URL,
  SCIM_CONTENT_TYPE,
  SEARCH_REQUEST_SCHEMA,
  ScimResponse,
  ScimTenant,
  USER_SCHEMA,
  UUID,
  WEAK_ETAG,
  createScimTenant,
  eventCount,
  events,
  expectScimError,
  expectedMeta,
  passwordHash,
  patchOp,
  serverErrors,
  startScimApp,
  usersQuery,
  withoutEmptyArrays,
  withoutMeta,
} from '../support/scim-client';

/** `primary: false` and no `primary` mean the same (RFC 7643 §2.4); compare without the former. */
const withoutPrimaryFalse = (body: Record<string, unknown>): Record<string, unknown> =>
  JSON.parse(JSON.stringify(body), (key: string, value: unknown) =>
    key === 'primary' && value === false ? undefined : value,
  );
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const pad = (n: number): string => String(n).padStart(2, '0');

/** RFC 7643 §8.2's full user, with every core attribute and the enterprise extension. */
const FULL_USER = {
  schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
  externalId: 'bjensen',
  userName: 'bjensen@example.com',
  name: {
    formatted: 'Ms. Barbara J Jensen, III',
    familyName: 'Jensen',
    givenName: 'Barbara',
    middleName: 'Jane',
    honorificPrefix: 'Ms.',
    honorificSuffix: 'III',
  },
  displayName: 'Babs Jensen',
  nickName: 'Babs',
  profileUrl: 'https://login.example.com/bjensen',
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  addresses: [
    {
      type: 'work',
      streetAddress: '100 Universal City Plaza',
      locality: 'Hollywood',
      region: 'CA',
      postalCode: '91608',
      country: 'USA',
      formatted: '100 Universal City Plaza\nHollywood, CA 91608 USA',
      primary: true,
    },
  ],
  phoneNumbers: [
    { value: '555-555-5555', type: 'work' },
    { value: '555-555-4444', type: 'mobile' },
  ],
  ims: [{ value: 'someaimhandle', type: 'aim' }],
  photos: [{ value: 'https://photos.example.com/profilephoto/72930000000Ccne/F', type: 'photo' }],
  userType: 'Employee',
  title: 'Tour Guide',
  preferredLanguage: 'en-US',
  locale: 'en-US',
  timezone: 'America/Los_Angeles',
  active: true,
  entitlements: [{ value: 'full-access' }],
  roles: [{ value: 'student' }],
  x509Certificates: [{ value: 'MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVMx' }],
  [ENTERPRISE_USER_SCHEMA]: {
    employeeNumber: '701984',
    costCenter: '4130',
    organization: 'Universal Studios',
    division: 'Theme Park',
    department: 'Tour Operations',
    manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d' },
  },
};

describe('SCIM /Users: RFC 7643/7644 behaviour', () => {
  let gateway: TestApp;
  let tenantCount = 0;

  const newTenant = (name: string): Promise<ScimTenant> => createScimTenant(gateway, `${name}-${++tenantCount}`);
  const createUser = async (tenant: ScimTenant, body: Record<string, unknown>): Promise<any> => {
    const response = await tenant.send('POST', '/scim/v2/Users', { schemas: [USER_SCHEMA], ...body });
    expect(response.status).toBe(201);
    return response.body;
  };
  const getUser = async (tenant: ScimTenant, id: string): Promise<ScimResponse> =>
    tenant.send('GET', `/scim/v2/Users/${id}`);
  const list = async (tenant: ScimTenant, query: string): Promise<any> => {
    const response = await tenant.send('GET', `/scim/v2/Users${query}`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe(SCIM_CONTENT_TYPE);
    return response.body;
  };
  const find = (tenant: ScimTenant, filter: string): Promise<any> =>
    list(tenant, `?filter=${encodeURIComponent(filter)}`);

  beforeAll(async () => {
    gateway = await startScimApp();
  });
  afterAll(() => gateway.close());

  describe('POST /Users', () => {
    let tenant: ScimTenant;
    beforeAll(async () => {
      tenant = await newTenant('post');
    });

    it('creates a user with every core and enterprise attribute and returns all of them (RFC 7644 §3.3)', async () => {
      const response = await tenant.send('POST', '/scim/v2/Users', {
        ...FULL_USER,
        password: 't1meMa$heen',
        groups: [{ value: 'e9e30dba-f08f-4109-8486-d5c6a331660a', display: 'Tour Guides' }],
      });
      expect(response.status).toBe(201);
      expect(response.headers['content-type']).toBe(SCIM_CONTENT_TYPE);
      const id = response.body.id as string;
      expect(id).toMatch(UUID);
      expect(withoutEmptyArrays(response.body)).toEqual({ ...FULL_USER, id, meta: expectedMeta(id) });
      expect(response.headers.etag).toBe(response.body.meta.version);
      expect(response.headers.location).toBe(`${SCIM_BASE_URL}/Users/${id}`);
      expect(response.body.meta.created).toBe(response.body.meta.lastModified);
      expect(Math.abs(Date.parse(response.body.meta.created) - Date.now())).toBeLessThan(60_000);
      expect(JSON.stringify(response.body)).not.toContain('t1meMa$heen');
      const read = await getUser(tenant, id);
      expect(read.body).toEqual(response.body);
    });

    it.each([
      'application/scim+json',
      'application/scim+json; charset=utf-8',
      'application/json',
      'application/json; charset=utf-8',
    ])('accepts a body sent as %s', async (contentType) => {
      const response = await tenant.send(
        'POST',
        '/scim/v2/Users',
        { schemas: [USER_SCHEMA], userName: `media-${contentType.replace(/\W+/g, '-')}` },
        { 'content-type': contentType },
      );
      expect(response.status).toBe(201);
    });

    it('accepts the booleans "True" and "False" as strings and stores real booleans', async () => {
      const inactive = await createUser(tenant, {
        userName: 'strings-false',
        active: 'False',
        emails: [{ value: 'sf@example.com', primary: 'True' }],
      });
      expect(inactive.active).toBe(false);
      expect(inactive.emails).toEqual([{ value: 'sf@example.com', primary: true }]);
      const active = await createUser(tenant, { userName: 'strings-true', active: 'True' });
      expect(active.active).toBe(true);
      expect((await getUser(tenant, active.id)).body.active).toBe(true);
    });

    it('ignores id, meta and groups in the body (read-only, RFC 7644 §3.3)', async () => {
      const response = await tenant.send('POST', '/scim/v2/Users', {
        schemas: [USER_SCHEMA],
        id: 'client-chosen-id',
        userName: 'readonly-input',
        meta: {
          resourceType: 'Group',
          version: 'W/"999"',
          created: '2001-01-01T00:00:00Z',
          location: 'https://evil.test/',
        },
        groups: [{ value: 'e9e30dba-f08f-4109-8486-d5c6a331660a' }],
      });
      expect(response.status).toBe(201);
      expect(response.body.id).toMatch(UUID);
      expect(withoutEmptyArrays(response.body)).toEqual({
        schemas: [USER_SCHEMA],
        id: response.body.id,
        userName: 'readonly-input',
        // Created without active: active, and shown so.
        active: true,
        meta: expectedMeta(response.body.id),
      });
      expect(response.body.meta.created).not.toBe('2001-01-01T00:00:00Z');
    });

    it('stores a password only as an argon2id hash and never returns it', async () => {
      const created = await tenant.send('POST', '/scim/v2/Users', {
        schemas: [USER_SCHEMA],
        userName: 'with-secret',
        password: 'Plain-Text-Secret-1',
      });
      expect(created.status).toBe(201);
      expect(created.body).not.toHaveProperty('password');
      const hash = await passwordHash(gateway.db, created.body.id);
      expect(hash).toMatch(/^\$argon2id\$/);
      const [row] = await gateway.db.query<{ row: string }>(
        'SELECT row_to_json(u)::text AS row FROM users u WHERE id = $1',
        [created.body.id],
      );
      expect(row.row).not.toContain('Plain-Text-Secret-1');
      const listed = await find(tenant, 'userName eq "with-secret"');
      expect(listed.Resources).toHaveLength(1);
      expect(listed.Resources[0]).not.toHaveProperty('password');
      expect(JSON.stringify(listed)).not.toContain('Plain-Text-Secret-1');
      const read = (await getUser(tenant, created.body.id)).body;
      expect(read).not.toHaveProperty('password');
      expect(JSON.stringify(read)).not.toContain('Plain-Text-Secret-1');
    });

    it('returns only the requested attributes of the created user (?attributes=userName), yet stores all', async () => {
      const response = await tenant.send('POST', '/scim/v2/Users?attributes=userName', {
        schemas: [USER_SCHEMA],
        userName: 'projected-create',
        displayName: 'Projected',
        title: 'Hidden',
      });
      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        schemas: [USER_SCHEMA],
        id: expect.stringMatching(UUID),
        userName: 'projected-create',
      });
      expect(response.headers.location).toBe(`${SCIM_BASE_URL}/Users/${response.body.id}`);
      expect(response.headers.etag).toMatch(WEAK_ETAG);
      const read = await getUser(tenant, response.body.id);
      expect(read.body).toMatchObject({ displayName: 'Projected', title: 'Hidden' });
    });

    it('creates exactly one of several concurrent POSTs of one userName; the others get 409, never 500', async () => {
      const responses = await Promise.all(
        ['Race.Create', 'race.create', 'RACE.CREATE', 'race.Create', 'Race.create'].map((userName) =>
          tenant.send('POST', '/scim/v2/Users', { schemas: [USER_SCHEMA], userName }),
        ),
      );
      expect(responses.map((response) => response.status).sort()).toEqual([201, 409, 409, 409, 409]);
      for (const response of responses.filter((r) => r.status === 409)) expectScimError(response, 409, 'uniqueness');
      expect((await find(tenant, 'userName eq "race.create"')).totalResults).toBe(1);
    });

    it('treats userName as unique case-insensitively: 409 uniqueness, nothing created', async () => {
      await createUser(tenant, { userName: 'Unique.Person@Example.com' });
      const before = await eventCount(gateway.db);
      for (const userName of ['Unique.Person@Example.com', 'unique.person@example.com', 'UNIQUE.PERSON@EXAMPLE.COM']) {
        expectScimError(
          await tenant.send('POST', '/scim/v2/Users', { schemas: [USER_SCHEMA], userName }),
          409,
          'uniqueness',
        );
      }
      expect(await eventCount(gateway.db)).toBe(before);
      expect((await find(tenant, 'userName eq "unique.person@example.com"')).totalResults).toBe(1);
    });
  });

  describe('GET /Users/{id}', () => {
    let tenant: ScimTenant;
    let user: any;
    beforeAll(async () => {
      tenant = await newTenant('get');
      user = await createUser(tenant, {
        userName: 'get-me',
        displayName: 'Get Me',
        emails: [{ value: 'g@example.com', type: 'work' }],
      });
    });

    it('answers 200 with the user and its ETag', async () => {
      const response = await getUser(tenant, user.id);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe(SCIM_CONTENT_TYPE);
      expect(response.body).toEqual(user);
      expect(response.headers.etag).toBe(user.meta.version);
    });

    it.each([
      ['an unknown uuid', '3f0c2a51-8e0c-4d9a-9d55-b3b2f4a0c001'],
      ['a non-uuid id', 'not-a-uuid'],
      ['a number', '12345'],
      ['an injection attempt', encodeURIComponent("' OR '1'='1")],
    ])('answers %s with a SCIM 404', async (_case, id) => {
      expectScimError(await getUser(tenant, id), 404);
    });

    it('projects a single user: ?attributes=userName,name.givenName and ?excludedAttributes=emails', async () => {
      const only = await tenant.send('GET', `/scim/v2/Users/${user.id}?attributes=userName`);
      expect(only.status).toBe(200);
      expect(only.body).toEqual({ schemas: [USER_SCHEMA], id: user.id, userName: 'get-me' });
      const excluded = await tenant.send('GET', `/scim/v2/Users/${user.id}?excludedAttributes=emails`);
      expect(withoutEmptyArrays(excluded.body)).toEqual(withoutEmptyArrays({ ...user, emails: [] }));
      const named = await createUser(tenant, { userName: 'named', name: { givenName: 'Ann', familyName: 'Lee' } });
      const sub = await tenant.send('GET', `/scim/v2/Users/${named.id}?attributes=name.givenName`);
      expect(sub.body).toEqual({ schemas: [USER_SCHEMA], id: named.id, name: { givenName: 'Ann' } });
      const values = await tenant.send('GET', `/scim/v2/Users/${user.id}?attributes=emails.value`);
      expect(values.body).toEqual({ schemas: [USER_SCHEMA], id: user.id, emails: [{ value: 'g@example.com' }] });
    });

    it('always returns id, even when excluded (returned: always, RFC 7643 §2.2)', async () => {
      const response = await tenant.send('GET', `/scim/v2/Users/${user.id}?excludedAttributes=id,displayName`);
      expect(response.status).toBe(200);
      const { displayName: _displayName, ...rest } = user;
      expect(withoutEmptyArrays(response.body)).toEqual(withoutEmptyArrays(rest));
    });

    it('never returns the password, even when asked for it, and never matches a filter on it', async () => {
      const secret = await createUser(tenant, { userName: 'asks-for-secret', password: 'Asked-For-1' });
      const asked = await tenant.send('GET', `/scim/v2/Users/${secret.id}?attributes=password,userName`);
      expect(asked.status).toBe(200);
      expect(asked.body).toEqual({ schemas: [USER_SCHEMA], id: secret.id, userName: 'asks-for-secret' });
      for (const filter of ['password pr', 'password eq "Asked-For-1"', 'password sw "$argon2"']) {
        const response = await tenant.send('GET', `/scim/v2/Users?filter=${encodeURIComponent(filter)}`);
        // Refusing the filter (400) or matching nothing are both safe; a match would be an oracle.
        if (response.status === 400) expectScimError(response, 400, 'invalidFilter');
        else expect(response.body).toMatchObject({ totalResults: 0, Resources: [] });
      }
    });
  });

  describe('PUT /Users/{id}', () => {
    let tenant: ScimTenant;
    beforeAll(async () => {
      tenant = await newTenant('put');
    });

    it('replaces the user: omitted attributes are cleared, id and meta in the body are ignored', async () => {
      const user = await createUser(tenant, {
        schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
        userName: 'put-me',
        externalId: 'put-ext',
        name: { givenName: 'Put', familyName: 'Me', middleName: 'M' },
        title: 'Old Title',
        phoneNumbers: [{ value: '555-0100', type: 'work' }],
        emails: [{ value: 'put@example.com', type: 'work', primary: true }],
        [ENTERPRISE_USER_SCHEMA]: { department: 'Ops' },
      });
      await sleep(5);
      const response = await tenant.send('PUT', `/scim/v2/Users/${user.id}`, {
        schemas: [USER_SCHEMA],
        id: '11111111-1111-4111-8111-111111111111',
        userName: 'put-me',
        name: { givenName: 'Put' },
        emails: [{ value: 'put@example.com', type: 'work', primary: true }],
        meta: { version: 'W/"bogus"', created: '2001-01-01T00:00:00Z' },
      });
      expect(response.status).toBe(200);
      expect(withoutEmptyArrays(response.body)).toEqual({
        schemas: [USER_SCHEMA],
        id: user.id,
        userName: 'put-me',
        name: { givenName: 'Put' },
        emails: [{ value: 'put@example.com', type: 'work', primary: true }],
        // active was not sent: a PUT that omits it keeps the user's state (RFC 7644 §3.5.1, "not asserted").
        active: true,
        meta: { ...expectedMeta(user.id), created: user.meta.created },
      });
      expect(response.body.meta.version).not.toBe(user.meta.version);
      expect(Date.parse(response.body.meta.lastModified)).toBeGreaterThan(Date.parse(user.meta.lastModified));
      expect(response.headers.etag).toBe(response.body.meta.version);
      expect((await getUser(tenant, user.id)).body).toEqual(response.body);
      expect((await getUser(tenant, '11111111-1111-4111-8111-111111111111')).status).toBe(404);
    });

    it('accepts a password in a PUT and re-hashes it', async () => {
      const user = await createUser(tenant, { userName: 'put-password', password: 'First-Pa55' });
      const before = await passwordHash(gateway.db, user.id);
      const response = await tenant.send('PUT', `/scim/v2/Users/${user.id}`, {
        schemas: [USER_SCHEMA],
        userName: 'put-password',
        password: 'Second-Pa55',
      });
      expect(response.status).toBe(200);
      expect(response.body).not.toHaveProperty('password');
      const after = await passwordHash(gateway.db, user.id);
      expect(after).toMatch(/^\$argon2id\$/);
      expect(after).not.toBe(before);
    });

    it('lets a user change its own userName’s case, and refuses another user’s userName with 409', async () => {
      const user = await createUser(tenant, { userName: 'case.change' });
      const other = await createUser(tenant, { userName: 'taken.name' });
      const recased = await tenant.send('PUT', `/scim/v2/Users/${user.id}`, {
        schemas: [USER_SCHEMA],
        userName: 'CASE.Change',
      });
      expect(recased.status).toBe(200);
      expect(recased.body.userName).toBe('CASE.Change');
      const eventsBefore = await eventCount(gateway.db);
      const taken = await tenant.send('PUT', `/scim/v2/Users/${user.id}`, {
        schemas: [USER_SCHEMA],
        userName: 'Taken.Name',
      });
      expectScimError(taken, 409, 'uniqueness');
      expect((await getUser(tenant, user.id)).body).toEqual(recased.body);
      expect((await getUser(tenant, other.id)).body).toEqual(other);
      expect(await eventCount(gateway.db)).toBe(eventsBefore);
    });

    it('returns the projected resource with ?attributes=userName', async () => {
      const user = await createUser(tenant, { userName: 'put-projected', title: 'T' });
      const response = await tenant.send('PUT', `/scim/v2/Users/${user.id}?attributes=userName`, {
        schemas: [USER_SCHEMA],
        userName: 'put-projected',
        title: 'T2',
      });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ schemas: [USER_SCHEMA], id: user.id, userName: 'put-projected' });
      expect((await getUser(tenant, user.id)).body.title).toBe('T2');
    });

    it('answers a PUT of an unknown id with 404', async () => {
      const response = await tenant.send('PUT', '/scim/v2/Users/3f0c2a51-8e0c-4d9a-9d55-b3b2f4a0c002', {
        schemas: [USER_SCHEMA],
        userName: 'ghost',
      });
      expectScimError(response, 404);
      expect((await find(tenant, 'userName eq "ghost"')).totalResults).toBe(0);
    });
  });

  describe('PATCH /Users/{id}', () => {
    let tenant: ScimTenant;
    let user: any;
    beforeAll(async () => {
      tenant = await newTenant('patch');
      user = await createUser(tenant, {
        userName: 'patch-me',
        displayName: 'Patch Me',
        title: 'Engineer',
        name: { givenName: 'Patch', familyName: 'Me' },
        emails: [
          { value: 'work@patch.test', type: 'work', primary: true },
          { value: 'home@patch.test', type: 'home' },
        ],
      });
    });
    const patch = async (operations: Record<string, unknown>[], query = ''): Promise<ScimResponse> =>
      tenant.send('PATCH', `/scim/v2/Users/${user.id}${query}`, patchOp(...operations));

    it.each([
      [
        'add to a multi-valued attribute appends',
        [{ op: 'add', path: 'phoneNumbers', value: [{ value: '555-0101', type: 'mobile' }] }],
        { phoneNumbers: [{ value: '555-0101', type: 'mobile' }] },
      ],
      ['replace of a simple attribute by path', [{ op: 'replace', path: 'title', value: 'Lead' }], { title: 'Lead' }],
      [
        'replace of a sub-attribute (name.familyName) keeps the others',
        [{ op: 'replace', path: 'name.familyName', value: 'Changed' }],
        { name: { givenName: 'Patch', familyName: 'Changed' } },
      ],
      [
        'add of a sub-attribute (name.middleName)',
        [{ op: 'add', path: 'name.middleName', value: 'Q' }],
        { name: { givenName: 'Patch', familyName: 'Changed', middleName: 'Q' } },
      ],
      [
        'replace of a filtered sub-attribute (emails[type eq "work"].value)',
        [{ op: 'replace', path: 'emails[type eq "work"].value', value: 'new-work@patch.test' }],
        {
          emails: [
            { value: 'new-work@patch.test', type: 'work', primary: true },
            { value: 'home@patch.test', type: 'home' },
          ],
        },
      ],
      [
        'remove of a filtered element (emails[type eq "home"])',
        [{ op: 'remove', path: 'emails[type eq "home"]' }],
        { emails: [{ value: 'new-work@patch.test', type: 'work', primary: true }] },
      ],
      ['remove of a simple attribute (title)', [{ op: 'remove', path: 'title' }], { title: undefined }],
      [
        'add of an enterprise attribute by its URN path',
        [{ op: 'add', path: `${ENTERPRISE_USER_SCHEMA}:department`, value: 'R&D' }],
        { schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA], [ENTERPRISE_USER_SCHEMA]: { department: 'R&D' } },
      ],
      [
        'path-less add of several attributes, attribute names in any case',
        [{ op: 'add', value: { NickName: 'Pat', DISPLAYNAME: 'Pat Me' } }],
        { nickName: 'Pat', displayName: 'Pat Me' },
      ],
      [
        'several operations in one request, in order',
        [
          { op: 'replace', path: 'displayName', value: 'First' },
          { op: 'replace', path: 'displayName', value: 'Second' },
          { op: 'remove', path: 'phoneNumbers[type eq "mobile"]' },
        ],
        { displayName: 'Second', phoneNumbers: undefined },
      ],
      [
        'replace of a complex attribute by path, leaving unnamed sub-attributes (RFC 7644 §3.5.2.3)',
        [{ op: 'replace', path: 'name', value: { givenName: 'Renamed' } }],
        { name: { givenName: 'Renamed', familyName: 'Changed', middleName: 'Q' } },
      ],
      [
        'add of a primary email, which clears primary on the others (RFC 7644 §3.5.2)',
        [{ op: 'add', path: 'emails', value: [{ value: 'second@patch.test', type: 'other', primary: true }] }],
        {
          emails: [
            { value: 'new-work@patch.test', type: 'work' },
            { value: 'second@patch.test', type: 'other', primary: true },
          ],
        },
      ],
      [
        'replace of a whole multi-valued attribute',
        [{ op: 'replace', path: 'emails', value: [{ value: 'only@patch.test', type: 'work', primary: true }] }],
        { emails: [{ value: 'only@patch.test', type: 'work', primary: true }] },
      ],
    ])('applies %s, answers 200 with the resource, and GET agrees', async (_case, operations, changes) => {
      const response = await patch(operations);
      expect(response.status).toBe(200);
      const expected = withoutEmptyArrays({
        ...withoutMeta(user),
        ...changes,
        meta: { ...expectedMeta(user.id), created: user.meta.created },
      });
      for (const [key, value] of Object.entries(expected)) if (value === undefined) delete expected[key];
      expect(withoutEmptyArrays(withoutPrimaryFalse(response.body))).toEqual(expected);
      expect(response.body.meta.version).not.toBe(user.meta.version);
      expect(response.headers.etag).toBe(response.body.meta.version);
      expect((await getUser(tenant, user.id)).body).toEqual(response.body);
      user = response.body;
    });

    it('returns the projected resource with ?attributes=userName', async () => {
      const response = await patch([{ op: 'replace', path: 'title', value: 'Projected' }], '?attributes=userName');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        schemas: expect.arrayContaining([USER_SCHEMA]),
        id: user.id,
        userName: 'patch-me',
      });
      expect(Object.keys(response.body).sort()).toEqual(['id', 'schemas', 'userName']);
      user = (await getUser(tenant, user.id)).body;
      expect(user.title).toBe('Projected');
    });

    it('answers a PATCH of an unknown id with 404', async () => {
      const response = await tenant.send(
        'PATCH',
        '/scim/v2/Users/3f0c2a51-8e0c-4d9a-9d55-b3b2f4a0c003',
        patchOp({ op: 'replace', path: 'title', value: 'x' }),
      );
      expectScimError(response, 404);
    });
  });

  describe('DELETE /Users/{id}', () => {
    it('answers 204 without a body, then GET, PUT, PATCH and DELETE answer 404', async () => {
      const tenant = await newTenant('delete');
      const user = await createUser(tenant, { userName: 'delete-me' });
      const keeper = await createUser(tenant, { userName: 'keep-me' });
      const response = await tenant.send('DELETE', `/scim/v2/Users/${user.id}`);
      expect(response.status).toBe(204);
      expect(response.body).toBeUndefined();
      expectScimError(await getUser(tenant, user.id), 404);
      expectScimError(await tenant.send('DELETE', `/scim/v2/Users/${user.id}`), 404);
      expectScimError(
        await tenant.send('PUT', `/scim/v2/Users/${user.id}`, { schemas: [USER_SCHEMA], userName: 'delete-me' }),
        404,
      );
      expectScimError(
        await tenant.send('PATCH', `/scim/v2/Users/${user.id}`, patchOp({ op: 'replace', path: 'title', value: 'x' })),
        404,
      );
      expect((await list(tenant, '')).Resources).toEqual([keeper]);
      expect((await getUser(tenant, keeper.id)).body).toEqual(keeper);
    });

    it('accepts a DELETE that carries a Content-Type but no body (clients send one)', async () => {
      const tenant = await newTenant('delete-ct');
      const user = await createUser(tenant, { userName: 'delete-with-type' });
      const response = await tenant.send('DELETE', `/scim/v2/Users/${user.id}`, undefined, {
        'content-type': 'application/scim+json',
      });
      expect(response.status).toBe(204);
    });
  });

  describe('ETags and If-Match (RFC 7644 §3.14)', () => {
    let tenant: ScimTenant;
    beforeAll(async () => {
      tenant = await newTenant('etag');
    });

    it('changes meta.version on every committed change', async () => {
      const user = await createUser(tenant, { userName: 'versions', title: 'A' });
      const versions = [user.meta.version as string];
      const changes: [string, unknown][] = [
        ['PATCH', patchOp({ op: 'replace', path: 'title', value: 'B' })],
        ['PUT', { schemas: [USER_SCHEMA], userName: 'versions', title: 'C' }],
        ['PATCH', patchOp({ op: 'replace', value: { active: false } })],
        ['PATCH', patchOp({ op: 'replace', value: { active: true } })],
        ['PATCH', patchOp({ op: 'replace', value: { password: 'Version-Pa55' } })],
      ];
      for (const [method, body] of changes) {
        const response = await tenant.send(method as 'PUT' | 'PATCH', `/scim/v2/Users/${user.id}`, body);
        expect(response.status).toBe(200);
        expect(response.body.meta.version).toMatch(WEAK_ETAG);
        expect(response.headers.etag).toBe(response.body.meta.version);
        versions.push(response.body.meta.version);
      }
      expect(new Set(versions).size).toBe(versions.length);
      expect((await getUser(tenant, user.id)).headers.etag).toBe(versions[versions.length - 1]);
    });

    it.each([
      ['PUT', (userName: string): unknown => ({ schemas: [USER_SCHEMA], userName, title: 'Changed' })],
      ['PATCH', (): unknown => patchOp({ op: 'replace', path: 'title', value: 'Changed' })],
      ['DELETE', (): unknown => undefined],
    ] as const)('refuses a %s with a stale If-Match with 412, changing nothing', async (method, body) => {
      const user = await createUser(tenant, { userName: `stale-${method.toLowerCase()}`, title: 'Original' });
      const stale = user.meta.version as string;
      const bumped = await tenant.send(
        'PATCH',
        `/scim/v2/Users/${user.id}`,
        patchOp({ op: 'replace', path: 'title', value: 'Bumped' }),
      );
      expect(bumped.status).toBe(200);
      const before = (await getUser(tenant, user.id)).body;
      const eventsBefore = await eventCount(gateway.db);
      const response = await tenant.send(method, `/scim/v2/Users/${user.id}`, body(user.userName), {
        'if-match': stale,
      });
      expectScimError(response, 412);
      expect(response.body.status).toBe('412');
      expect((await getUser(tenant, user.id)).body).toEqual(before);
      expect(await eventCount(gateway.db)).toBe(eventsBefore);
    });

    it.each(['PUT', 'PATCH', 'DELETE'])('accepts a %s with the current ETag, and with If-Match: *', async (method) => {
      const user = await createUser(tenant, { userName: `current-${method.toLowerCase()}`, title: 'Original' });
      const body = (title: string): unknown =>
        method === 'PUT'
          ? { schemas: [USER_SCHEMA], userName: user.userName, title }
          : method === 'PATCH'
            ? patchOp({ op: 'replace', path: 'title', value: title })
            : undefined;
      const verb = method as 'PUT' | 'PATCH' | 'DELETE';
      if (method === 'DELETE') {
        const response = await tenant.send(verb, `/scim/v2/Users/${user.id}`, undefined, {
          'if-match': user.meta.version,
        });
        expect(response.status).toBe(204);
        const other = await createUser(tenant, { userName: 'star-delete' });
        expect((await tenant.send(verb, `/scim/v2/Users/${other.id}`, undefined, { 'if-match': '*' })).status).toBe(
          204,
        );
        return;
      }
      const first = await tenant.send(verb, `/scim/v2/Users/${user.id}`, body('With ETag'), {
        'if-match': user.meta.version,
      });
      expect(first.status).toBe(200);
      expect(first.body.title).toBe('With ETag');
      const second = await tenant.send(verb, `/scim/v2/Users/${user.id}`, body('With star'), { 'if-match': '*' });
      expect(second.status).toBe(200);
      expect(second.body.title).toBe('With star');
      // The first change made the original ETag stale.
      const stale = await tenant.send(verb, `/scim/v2/Users/${user.id}`, body('Stale'), {
        'if-match': user.meta.version,
      });
      expectScimError(stale, 412);
    });

    it('lets exactly one of several concurrent PATCHes with the same If-Match win', async () => {
      const user = await createUser(tenant, { userName: 'race', title: 'Start' });
      const eventsBefore = (await events(gateway.db, user.id)).length;
      const responses = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          tenant.send(
            'PATCH',
            `/scim/v2/Users/${user.id}`,
            patchOp({ op: 'replace', path: 'title', value: `Racer ${i}` }),
            {
              'if-match': user.meta.version,
            },
          ),
        ),
      );
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses).toEqual([200, 412, 412, 412, 412, 412]);
      const winner = responses.find((response) => response.status === 200)!;
      expect((await getUser(tenant, user.id)).body).toEqual(winner.body);
      expect((await events(gateway.db, user.id)).length).toBe(eventsBefore + 1);
    });
  });

  describe('GET /Users: listing, paging, sorting and projection', () => {
    let tenant: ScimTenant;
    /** The 25 users in creation order. */
    const users: any[] = [];
    const userNames = (body: any): string[] =>
      body.Resources.map((resource: { userName: string }) => resource.userName);

    beforeAll(async () => {
      tenant = await newTenant('listing');
      for (let i = 0; i < 25; i++) {
        users.push(
          await createUser(tenant, {
            // Creation order, userName order and familyName order all differ.
            userName: `list-${pad((i * 11) % 25)}@list.test`,
            name: { givenName: `Given${pad(i)}`, familyName: `Fam${pad((i * 7) % 25)}` },
            emails: [{ value: `u${pad(i)}@list.test`, type: 'work' }],
            displayName: `List User ${pad(i)}`,
          }),
        );
      }
    });

    it('lists every user in creation order by default, as a ListResponse', async () => {
      const body = await list(tenant, '');
      expect(body).toEqual({
        schemas: [LIST_RESPONSE_SCHEMA],
        totalResults: 25,
        startIndex: 1,
        itemsPerPage: 25,
        Resources: users,
      });
    });

    it('pages through 25 users with count=10 without overlap or gaps', async () => {
      const pages = [
        await list(tenant, '?startIndex=1&count=10'),
        await list(tenant, '?startIndex=11&count=10'),
        await list(tenant, '?startIndex=21&count=10'),
      ];
      expect(pages.map((page) => [page.startIndex, page.itemsPerPage, page.totalResults])).toEqual([
        [1, 10, 25],
        [11, 10, 25],
        [21, 5, 25],
      ]);
      expect(pages.flatMap((page) => page.Resources)).toEqual(users);
    });

    it.each(['0', '-3'])('treats startIndex=%s as 1', async (startIndex) => {
      const body = await list(tenant, `?startIndex=${startIndex}&count=2`);
      expect(body).toEqual({
        schemas: [LIST_RESPONSE_SCHEMA],
        totalResults: 25,
        startIndex: 1,
        itemsPerPage: 2,
        Resources: users.slice(0, 2),
      });
    });

    it('answers a startIndex past the end with no resources and the total', async () => {
      const body = await list(tenant, '?startIndex=26&count=10');
      expect(body).toMatchObject({ schemas: [LIST_RESPONSE_SCHEMA], totalResults: 25, itemsPerPage: 0, Resources: [] });
    });

    it.each(['0', '-1', '-100'])('answers count=%s with only totalResults and no resources', async (count) => {
      const body = await list(tenant, `?count=${count}`);
      expect(body).toMatchObject({ schemas: [LIST_RESPONSE_SCHEMA], totalResults: 25, Resources: [] });
      if ('itemsPerPage' in body) expect(body.itemsPerPage).toBe(0);
    });

    it('sorts by userName, ascending by default and descending on request', async () => {
      const sorted = users.map((user) => user.userName as string).sort();
      expect(userNames(await list(tenant, '?sortBy=userName'))).toEqual(sorted);
      expect(userNames(await list(tenant, '?sortBy=userName&sortOrder=ascending'))).toEqual(sorted);
      expect(userNames(await list(tenant, '?sortBy=userName&sortOrder=descending'))).toEqual([...sorted].reverse());
      expect(userNames(await list(tenant, '?sortBy=USERNAME&sortOrder=descending'))).toEqual([...sorted].reverse());
    });

    it('sorts by name.familyName, and pages within the sorted order', async () => {
      const byFamily = [...users].sort((a, b) => (a.name.familyName as string).localeCompare(b.name.familyName));
      const body = await list(tenant, '?sortBy=name.familyName');
      expect(body.Resources.map((user: any) => user.id)).toEqual(byFamily.map((user) => user.id));
      const descending = await list(tenant, '?sortBy=name.familyName&sortOrder=descending&startIndex=3&count=4');
      expect(descending.Resources.map((user: any) => user.id)).toEqual(
        [...byFamily]
          .reverse()
          .slice(2, 6)
          .map((user) => user.id),
      );
    });

    it('projects with attributes=userName: only schemas, id and userName', async () => {
      const body = await list(tenant, '?attributes=userName&count=3');
      expect(body.Resources).toEqual(
        users.slice(0, 3).map((user) => ({ schemas: [USER_SCHEMA], id: user.id, userName: user.userName })),
      );
    });

    it('projects with attributes in any case and several names', async () => {
      const body = await list(tenant, '?attributes=USERNAME,displayname&count=2');
      expect(body.Resources).toEqual(
        users.slice(0, 2).map((user) => ({
          schemas: [USER_SCHEMA],
          id: user.id,
          userName: user.userName,
          displayName: user.displayName,
        })),
      );
    });

    it('projects with excludedAttributes=emails,name', async () => {
      const body = await list(tenant, '?excludedAttributes=emails,name&count=2');
      expect(body.Resources).toEqual(
        users.slice(0, 2).map((user) => {
          const { emails: _emails, name: _name, ...rest } = user;
          return rest;
        }),
      );
    });

    it('combines filter, sort, paging and projection', async () => {
      const query = usersQuery({
        filter: 'userName sw "list-1"',
        sortBy: 'userName',
        sortOrder: 'descending',
        startIndex: 2,
        count: 3,
        attributes: 'userName',
      });
      const response = await tenant.send('GET', query);
      expect(response.status).toBe(200);
      const matching = users
        .map((user) => user.userName as string)
        .filter((userName) => userName.startsWith('list-1'))
        .sort()
        .reverse();
      expect(response.body).toMatchObject({ totalResults: matching.length, startIndex: 2, itemsPerPage: 3 });
      expect(userNames(response.body)).toEqual(matching.slice(1, 4));
    });
  });

  describe('GET /Users: the page size limit', () => {
    it('caps count at 200 (ServiceProviderConfig filter.maxResults)', async () => {
      const tenant = await newTenant('many');
      for (let batch = 0; batch < 205; batch += 41) {
        const responses = await Promise.all(
          Array.from({ length: 41 }, (_, i) =>
            tenant.send('POST', '/scim/v2/Users', { schemas: [USER_SCHEMA], userName: `many-${batch + i}` }),
          ),
        );
        expect(responses.map((response) => response.status)).toEqual(responses.map(() => 201));
      }
      const capped = await list(tenant, '?count=1000');
      expect(capped).toMatchObject({ totalResults: 205, startIndex: 1, itemsPerPage: 200 });
      expect(capped.Resources).toHaveLength(200);
      const unasked = await list(tenant, '');
      expect(unasked.totalResults).toBe(205);
      expect(unasked.Resources.length).toBeLessThanOrEqual(200);
      expect(unasked.itemsPerPage).toBe(unasked.Resources.length);
      const rest = await list(tenant, '?startIndex=201&count=200');
      expect(rest).toMatchObject({ totalResults: 205, startIndex: 201, itemsPerPage: 5 });
      const ids = new Set([...capped.Resources, ...rest.Resources].map((user: any) => user.id));
      expect(ids.size).toBe(205);
    });
  });

  describe('filters (RFC 7644 §3.4.2.2)', () => {
    let tenant: ScimTenant;
    const byName: Record<string, any> = {};
    let between: string;
    const E = ENTERPRISE_USER_SCHEMA;

    beforeAll(async () => {
      tenant = await newTenant('filters');
      byName.alice = await createUser(tenant, {
        schemas: [USER_SCHEMA, E],
        userName: 'alice@x.test',
        externalId: 'ext-Alice',
        displayName: 'Alice Anders',
        title: 'Engineer',
        name: { givenName: 'Alice', familyName: 'Anders' },
        emails: [
          { value: 'alice@x.test', type: 'work', primary: true },
          { value: 'alice@home.test', type: 'home' },
        ],
        active: true,
        [E]: { department: 'R&D' },
      });
      byName.bob = await createUser(tenant, {
        schemas: [USER_SCHEMA, E],
        userName: 'bob@y.test',
        externalId: 'ext-bob',
        name: { givenName: 'Bob', familyName: 'Brown' },
        emails: [
          { value: 'bob@y.test', type: 'work' },
          { value: 'bob@x.test', type: 'home' },
        ],
        active: false,
        [E]: { department: 'Sales' },
      });
      byName.carol = await createUser(tenant, {
        userName: 'Carol@X.test',
        externalId: 'ext-carol',
        name: { givenName: 'Carol', familyName: 'Andersen' },
        emails: [{ value: 'carol@x.test', type: 'home' }],
        active: true,
      });
      byName.dave = await createUser(tenant, {
        schemas: [USER_SCHEMA, E],
        userName: 'dave@z.test',
        name: { givenName: 'Dave', familyName: 'Dawson' },
        active: true,
        [E]: { department: 'R&D' },
      });
      await sleep(20);
      between = new Date().toISOString();
      await sleep(20);
      const patched = await tenant.send(
        'PATCH',
        `/scim/v2/Users/${byName.carol.id}`,
        patchOp({ op: 'add', path: 'title', value: 'Lead' }),
      );
      expect(patched.status).toBe(200);
      byName.carol = patched.body;
    });

    const search = async (filter: string): Promise<string[]> => {
      const response = await tenant.send('GET', usersQuery({ filter }));
      expect(response.status).toBe(200);
      expect(response.body.totalResults).toBe(response.body.Resources.length);
      const names = Object.fromEntries(Object.entries(byName).map(([key, user]) => [user.id, key]));
      return response.body.Resources.map((user: { id: string }) => names[user.id] ?? user.id);
    };

    it.each([
      ['userName eq "alice@x.test"', ['alice']],
      ['userName eq "ALICE@X.TEST"', ['alice']],
      ['userName eq "carol@x.test"', ['carol']],
      ['externalId eq "ext-Alice"', ['alice']],
      ['externalId eq "ext-alice"', []],
      ['emails[type eq "work" and value co "@x"]', ['alice']],
      ['emails[type eq "home"]', ['alice', 'bob', 'carol']],
      ['emails.value eq "bob@x.test"', ['bob']],
      ['emails.value eq "BOB@X.TEST"', ['bob']],
      ['emails.type eq "work"', ['alice', 'bob']],
      ['emails[type eq "work"].value eq "bob@y.test"', ['bob']],
      ['emails[type eq "work"].value eq "bob@x.test"', []],
      ['active eq false', ['bob']],
      ['active eq true', ['alice', 'carol', 'dave']],
      ['name.familyName sw "And"', ['alice', 'carol']],
      ['name.familyName sw "and"', ['alice', 'carol']],
      ['name.givenName ew "ob"', ['bob']],
      ['userName co "@X."', ['alice', 'carol']],
      ['userName ne "alice@x.test"', ['bob', 'carol', 'dave']],
      [`${E}:department eq "R&D"`, ['alice', 'dave']],
      [`${E}:department eq "r&d"`, ['alice', 'dave']],
      [`${USER_SCHEMA}:userName eq "dave@z.test"`, ['dave']],
      ['userName eq "alice@x.test" or userName eq "bob@y.test"', ['alice', 'bob']],
      ['active eq true and not (name.familyName sw "And")', ['dave']],
      ['(userName sw "a" or userName sw "b") and active eq true', ['alice']],
      ['userName eq "dave@z.test" or userName eq "bob@y.test" and active eq true', ['dave']],
      ['userName eq "alice@x.test" and (emails.type eq "home" or active eq false)', ['alice']],
      ['USERNAME EQ "bob@y.test"', ['bob']],
      ['userName Eq "bob@y.test"', ['bob']],
      ['Emails.Value eq "carol@x.test"', ['carol']],
      ['NAME.FAMILYNAME SW "Daw"', ['dave']],
      ['externalId pr', ['alice', 'bob', 'carol']],
      ['not (externalId pr)', ['dave']],
      ['title pr', ['alice', 'carol']],
      ['emails co "@home.test"', ['alice']],
      ['emails.value co "@X.TEST"', ['alice', 'bob', 'carol']],
      ['userName eq "nobody@nowhere.test"', []],
    ])('%s', async (filter, expected) => {
      expect(await search(filter)).toEqual(expected);
    });

    it('id eq "…"', async () => {
      expect(await search(`id eq "${byName.alice.id}"`)).toEqual(['alice']);
      expect(await search('id eq "3f0c2a51-8e0c-4d9a-9d55-b3b2f4a0c004"')).toEqual([]);
      expect(await search('id eq "not-a-uuid"')).toEqual([]);
    });

    it('meta.lastModified gt / lt an instant', async () => {
      expect(await search(`meta.lastModified gt "${between}"`)).toEqual(['carol']);
      expect(await search(`meta.lastModified lt "${between}"`)).toEqual(['alice', 'bob', 'dave']);
    });

    it('meta.lastModified: a user is not newer than its own lastModified, and is ge it', async () => {
      const stamp = byName.alice.meta.lastModified as string;
      expect(await search(`meta.lastModified gt "${stamp}"`)).not.toContain('alice');
      expect(await search(`meta.lastModified ge "${stamp}"`)).toContain('alice');
    });

    it('sorts users without the sortBy attribute last when ascending, first when descending (RFC 7644 §3.4.2.3)', async () => {
      const names = async (query: string): Promise<string[]> => {
        const body = await list(tenant, query);
        const keys = Object.fromEntries(Object.entries(byName).map(([key, user]) => [user.id, key]));
        return body.Resources.map((user: { id: string }) => keys[user.id]);
      };
      const ascending = await names('?sortBy=title');
      expect(ascending.slice(0, 2)).toEqual(['alice', 'carol']);
      expect(ascending.slice(2).sort()).toEqual(['bob', 'dave']);
      const descending = await names('?sortBy=title&sortOrder=descending');
      expect(descending.slice(0, 2).sort()).toEqual(['bob', 'dave']);
      expect(descending.slice(2)).toEqual(['carol', 'alice']);
    });

    it('sorts case-insensitively by userName (caseExact is false)', async () => {
      const body = await list(tenant, '?sortBy=userName');
      expect(body.Resources.map((user: any) => user.userName)).toEqual([
        'alice@x.test',
        'bob@y.test',
        'Carol@X.test',
        'dave@z.test',
      ]);
    });

    describe('POST /Users/.search (RFC 7644 §3.4.3)', () => {
      it('answers 200 with the same ListResponse as GET', async () => {
        const response = await tenant.send('POST', '/scim/v2/Users/.search', {
          schemas: [SEARCH_REQUEST_SCHEMA],
          filter: 'active eq true and not (userName sw "c")',
          startIndex: 1,
          count: 10,
        });
        expect(response.status).toBe(200);
        expect(response.headers['content-type']).toBe(SCIM_CONTENT_TYPE);
        expect(response.body).toEqual({
          schemas: [LIST_RESPONSE_SCHEMA],
          totalResults: 2,
          startIndex: 1,
          itemsPerPage: 2,
          Resources: [byName.alice, byName.dave],
        });
      });

      it('sorts, pages and projects with attributes', async () => {
        const response = await tenant.send('POST', '/scim/v2/Users/.search', {
          schemas: [SEARCH_REQUEST_SCHEMA],
          filter: 'active eq true and not (userName sw "c")',
          sortBy: 'userName',
          sortOrder: 'descending',
          startIndex: 2,
          count: 1,
          attributes: ['userName'],
        });
        expect(response.status).toBe(200);
        expect(response.body).toEqual({
          schemas: [LIST_RESPONSE_SCHEMA],
          totalResults: 2,
          startIndex: 2,
          itemsPerPage: 1,
          // alice has enterprise data: whether `schemas` still names its URN when no
          // extension attribute is returned is left open by RFC 7643 §3.
          Resources: [
            { schemas: expect.arrayContaining([USER_SCHEMA]), id: byName.alice.id, userName: 'alice@x.test' },
          ],
        });
      });

      it('projects with excludedAttributes', async () => {
        const response = await tenant.send('POST', '/scim/v2/Users/.search', {
          schemas: [SEARCH_REQUEST_SCHEMA],
          filter: 'userName eq "carol@x.test"',
          excludedAttributes: ['emails', 'name'],
        });
        expect(response.status).toBe(200);
        const { emails: _emails, name: _name, ...rest } = byName.carol;
        expect(response.body.Resources).toEqual([rest]);
      });

      it('lists everything without a filter, accepting application/json', async () => {
        const response = await tenant.send(
          'POST',
          '/scim/v2/Users/.search',
          { schemas: [SEARCH_REQUEST_SCHEMA] },
          { 'content-type': 'application/json' },
        );
        expect(response.status).toBe(200);
        expect(response.body.totalResults).toBe(4);
        expect(response.body.Resources.map((user: any) => user.id)).toEqual(
          ['alice', 'bob', 'carol', 'dave'].map((key) => byName[key].id),
        );
      });
    });
  });

  it('never answered with a 5xx', () => {
    expect(serverErrors).toEqual([]);
  });
});
