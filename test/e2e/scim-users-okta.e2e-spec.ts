import { TestApp } from '../support/test-app';
import {
  ERROR_SCHEMA,
  LIST_RESPONSE_SCHEMA,
  SCIM_BASE_URL,
  SCIM_CONTENT_TYPE,
  ScimTenant,
  USER_SCHEMA,
  UUID,
  createScimTenant,
  events,
  expectScimError,
  expectedMeta,
  fixture,
  passwordHash,
  serverErrors,
  startScimApp,
  withoutEmptyArrays,
  withoutMeta,
} from '../support/scim-client';

/**
 * Okta's provisioning calls, in the order a new app meets them
 * (/work/shared/SCIM-DIALECTS.md, "Okta"). The tests share one tenant and run in order.
 */
describe('SCIM /Users as Okta provisions them', () => {
  let gateway: TestApp;
  let okta: ScimTenant;
  /** The user as the last successful response showed it. */
  let user: any;
  const created = fixture('okta/create-user');
  const lookupUrl = '/scim/v2/Users?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100';

  const typesOf = async (id: string): Promise<string[]> => (await events(gateway.db, id)).map((event) => event.type);
  const get = async (id: string): Promise<any> => {
    const response = await okta.send('GET', `/scim/v2/Users/${id}`);
    expect(response.status).toBe(200);
    return response.body;
  };

  beforeAll(async () => {
    gateway = await startScimApp();
    okta = await createScimTenant(gateway, 'okta-tenant');
  });
  afterAll(() => gateway.close());

  it('answers 401 with the SCIM error body when the token is missing (Okta reads it)', async () => {
    const response = await okta.send('GET', lookupUrl, undefined, { authorization: '' });
    expectScimError(response, 401);
  });

  it('answers "Test API credentials" on an empty tenant with 200 and an empty list, never 404', async () => {
    const response = await okta.send('GET', lookupUrl);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe(SCIM_CONTENT_TYPE);
    expect(response.body).toEqual(fixture('okta/empty-list-response'));
  });

  it('answers an import on an empty tenant with 200 and an empty list', async () => {
    const response = await okta.send('GET', '/scim/v2/Users?startIndex=1&count=100');
    expect(response.status).toBe(200);
    expect(response.body).toEqual(fixture('okta/empty-list-response'));
  });

  it('creates the user (posted as application/json, with a password and empty groups)', async () => {
    const response = await okta.send('POST', '/scim/v2/Users', created, { 'content-type': 'application/json' });
    expect(response.status).toBe(201);
    expect(response.headers['content-type']).toBe(SCIM_CONTENT_TYPE);
    expect(response.body.id).toMatch(UUID);
    const id = response.body.id as string;
    expect(withoutEmptyArrays(response.body)).toEqual({
      schemas: [USER_SCHEMA],
      id,
      userName: 'test.user@okta.local',
      name: { givenName: 'Test', familyName: 'User' },
      emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
      displayName: 'Test User',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      active: true,
      meta: expectedMeta(id),
    });
    expect(response.headers.etag).toBe(response.body.meta.version);
    expect(response.headers.location).toBe(`${SCIM_BASE_URL}/Users/${id}`);
    expect(JSON.stringify(response.body)).not.toContain('1mz050nq');
    expect(await passwordHash(gateway.db, id)).toMatch(/^\$argon2id\$/);
    user = response.body;
  });

  it('recorded user.created, sequence 1, with the created user as data and no password', async () => {
    const recorded = await events(gateway.db, user.id);
    expect(recorded).toEqual([
      {
        id: expect.stringMatching(UUID),
        type: 'user.created',
        occurredAt: expect.any(String),
        tenant: { id: okta.id, slug: okta.slug },
        subject: { type: 'user', id: user.id },
        sequence: 1,
        data: expect.objectContaining(withoutMeta(user)),
      },
    ]);
    expect(recorded[0].data).not.toHaveProperty('password');
    expect(JSON.stringify(recorded)).not.toContain('1mz050nq');
    expect(JSON.stringify(recorded)).not.toContain('$argon2');
  });

  it('finds the user with the lookup Okta makes before every create', async () => {
    const response = await okta.send('GET', lookupUrl);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      schemas: [LIST_RESPONSE_SCHEMA],
      totalResults: 1,
      startIndex: 1,
      itemsPerPage: 1,
      Resources: [user],
    });
  });

  it.each([
    [
      '+ for spaces, %22 quotes',
      '/scim/v2/Users?filter=userName+eq+%22test.user%40okta.local%22&startIndex=1&count=100',
    ],
    ['+ for spaces, raw quotes', '/scim/v2/Users?filter=userName+eq+"test.user@okta.local"&startIndex=1&count=100'],
    [
      '%20 for spaces, raw quotes',
      '/scim/v2/Users?filter=userName%20eq%20"test.user@okta.local"&startIndex=1&count=100',
    ],
    ['another case of the userName', '/scim/v2/Users?filter=userName+eq+%22TEST.User%40Okta.Local%22'],
  ])('finds the user with the filter written unencoded (%s)', async (_form, url) => {
    const response = await okta.send('GET', url);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ totalResults: 1, Resources: [{ id: user.id }] });
  });

  it('refuses a second create with the same userName with 409 uniqueness, and records nothing', async () => {
    const before = await typesOf(user.id);
    const response = await okta.send('POST', '/scim/v2/Users', created, { 'content-type': 'application/json' });
    expectScimError(response, 409, 'uniqueness');
    const again = await okta.send('POST', '/scim/v2/Users', { ...created, userName: 'Test.User@OKTA.local' });
    expectScimError(again, 409, 'uniqueness');
    expect(await typesOf(user.id)).toEqual(before);
    expect((await okta.send('GET', lookupUrl)).body.totalResults).toBe(1);
  });

  it('gets the user by id with its ETag', async () => {
    const response = await okta.send('GET', `/scim/v2/Users/${user.id}`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual(user);
    expect(response.headers.etag).toBe(user.meta.version);
  });

  it('answers an unknown id with a SCIM 404', async () => {
    const response = await okta.send('GET', '/scim/v2/Users/00000000-0000-4000-8000-000000000000');
    expectScimError(response, 404);
    expect(response.body.schemas).toEqual([ERROR_SCHEMA]);
  });

  it('applies a profile change sent as a full PUT of the user it read (id, meta and groups included)', async () => {
    const read = await get(user.id);
    const body = { ...read, groups: [], displayName: 'Test User Renamed', title: 'Manager' };
    const response = await okta.send('PUT', `/scim/v2/Users/${user.id}`, body);
    expect(response.status).toBe(200);
    expect(withoutEmptyArrays(response.body)).toEqual({
      ...withoutMeta(read),
      displayName: 'Test User Renamed',
      title: 'Manager',
      meta: { ...expectedMeta(user.id), created: read.meta.created },
    });
    expect(response.body.meta.version).not.toBe(read.meta.version);
    expect(response.headers.etag).toBe(response.body.meta.version);
    expect(await typesOf(user.id)).toEqual(['user.created', 'user.updated']);
    // A PUT without password keeps the password set at create.
    expect(await passwordHash(gateway.db, user.id)).toMatch(/^\$argon2id\$/);
    user = response.body;
  });

  it('applies a profile change sent as a path-less PATCH replace of name', async () => {
    const response = await okta.send('PATCH', `/scim/v2/Users/${user.id}`, fixture('okta/patch-replace-name'));
    expect(response.status).toBe(200);
    expect(withoutEmptyArrays(response.body)).toEqual({
      ...withoutMeta(user),
      name: { givenName: 'Another', familyName: 'Name' },
      meta: { ...expectedMeta(user.id), created: user.meta.created },
    });
    expect(response.body.meta.version).not.toBe(user.meta.version);
    expect(await get(user.id)).toEqual(response.body);
    expect(await typesOf(user.id)).toEqual(['user.created', 'user.updated', 'user.updated']);
    user = response.body;
  });

  it('deactivates the user with a path-less PATCH, recording user.deactivated and nothing else', async () => {
    const response = await okta.send('PATCH', `/scim/v2/Users/${user.id}`, fixture('okta/patch-deactivate'));
    expect(response.status).toBe(200);
    expect(withoutEmptyArrays(response.body)).toEqual({
      ...withoutMeta(user),
      active: false,
      meta: { ...expectedMeta(user.id), created: user.meta.created },
    });
    expect(await typesOf(user.id)).toEqual(['user.created', 'user.updated', 'user.updated', 'user.deactivated']);
    const [last] = (await events(gateway.db, user.id)).slice(-1);
    expect(last.data).toEqual(expect.objectContaining({ id: user.id, active: false }));
    user = response.body;
  });

  it('still answers GET and the lookup for the deactivated user (Okta never deletes)', async () => {
    expect(await get(user.id)).toEqual(user);
    const response = await okta.send('GET', lookupUrl);
    expect(response.body).toMatchObject({ totalResults: 1, Resources: [{ id: user.id, active: false }] });
  });

  it('reactivates the same id with a path-less PATCH, recording user.reactivated', async () => {
    const response = await okta.send('PATCH', `/scim/v2/Users/${user.id}`, fixture('okta/patch-reactivate'));
    expect(response.status).toBe(200);
    expect(response.body.id).toBe(user.id);
    expect(withoutEmptyArrays(response.body)).toEqual({
      ...withoutMeta(user),
      active: true,
      meta: { ...expectedMeta(user.id), created: user.meta.created },
    });
    expect((await typesOf(user.id)).slice(-1)).toEqual(['user.reactivated']);
    expect((await typesOf(user.id)).filter((type) => type === 'user.created')).toHaveLength(1);
    user = response.body;
  });

  it('syncs a password sent as a path-less PATCH replace: re-hashed, never shown, user.password_changed', async () => {
    const hashBefore = await passwordHash(gateway.db, user.id);
    const response = await okta.send(
      'PATCH',
      `/scim/v2/Users/${user.id}`,
      fixture('okta/patch-password', { password: 'N3w-Okta-Pa55' }),
    );
    expect(response.status).toBe(200);
    expect(response.body).not.toHaveProperty('password');
    expect(withoutMeta(response.body)).toEqual(withoutMeta(user));
    const hashAfter = await passwordHash(gateway.db, user.id);
    expect(hashAfter).toMatch(/^\$argon2id\$/);
    expect(hashAfter).not.toBe(hashBefore);
    const recorded = await events(gateway.db, user.id);
    expect(recorded.slice(-1)[0].type).toBe('user.password_changed');
    expect(JSON.stringify(recorded)).not.toContain('N3w-Okta-Pa55');
    expect(JSON.stringify(recorded)).not.toContain('$argon2');
    user = response.body;
  });

  it('syncs a password sent in a full PUT', async () => {
    const hashBefore = await passwordHash(gateway.db, user.id);
    const eventsBefore = (await events(gateway.db, user.id)).length;
    const response = await okta.send('PUT', `/scim/v2/Users/${user.id}`, { ...user, password: 'Put-Okta-Pa55' });
    expect(response.status).toBe(200);
    expect(response.body).not.toHaveProperty('password');
    expect(withoutMeta(response.body)).toEqual(withoutMeta(user));
    expect(await passwordHash(gateway.db, user.id)).not.toBe(hashBefore);
    const added = (await events(gateway.db, user.id)).slice(eventsBefore);
    expect(added.map((event) => event.type)).toContain('user.password_changed');
    expect(JSON.stringify(added)).not.toContain('Put-Okta-Pa55');
    expect(JSON.stringify(added)).not.toContain('$argon2');
    user = response.body;
  });

  it('numbered the user’s events 1, 2, 3, … in the order they were recorded', async () => {
    const recorded = await events(gateway.db, user.id);
    expect(recorded.map((event) => event.sequence)).toEqual(recorded.map((_, index) => index + 1));
  });

  it('imports every user with startIndex=1, 101, 201 … until totalResults is reached', async () => {
    const ids = new Set<string>([user.id]);
    for (let batch = 0; batch < 249; batch += 25) {
      const responses = await Promise.all(
        Array.from({ length: Math.min(25, 249 - batch) }, (_, offset) =>
          okta.send('POST', '/scim/v2/Users', {
            schemas: [USER_SCHEMA],
            userName: `import.user.${batch + offset}@okta.local`,
            name: { givenName: 'Import', familyName: `User ${batch + offset}` },
            emails: [{ primary: true, value: `import.user.${batch + offset}@okta.local`, type: 'work' }],
            active: true,
          }),
        ),
      );
      for (const response of responses) {
        expect(response.status).toBe(201);
        ids.add(response.body.id);
      }
    }
    expect(ids.size).toBe(250);

    const imported: string[] = [];
    const pages: { startIndex: number; itemsPerPage: number }[] = [];
    let startIndex = 1;
    let totalResults = Infinity;
    while (startIndex <= totalResults) {
      const response = await okta.send('GET', `/scim/v2/Users?startIndex=${startIndex}&count=100`);
      expect(response.status).toBe(200);
      expect(response.body.schemas).toEqual([LIST_RESPONSE_SCHEMA]);
      totalResults = response.body.totalResults;
      pages.push({ startIndex: response.body.startIndex, itemsPerPage: response.body.itemsPerPage });
      expect(response.body.Resources).toHaveLength(response.body.itemsPerPage);
      for (const resource of response.body.Resources) {
        expect(resource).toEqual(expect.objectContaining({ schemas: [USER_SCHEMA], userName: expect.any(String) }));
        expect(resource).not.toHaveProperty('password');
        imported.push(resource.id);
      }
      startIndex += 100;
      if (pages.length > 5) break;
    }
    expect(totalResults).toBe(250);
    expect(pages).toEqual([
      { startIndex: 1, itemsPerPage: 100 },
      { startIndex: 101, itemsPerPage: 100 },
      { startIndex: 201, itemsPerPage: 50 },
    ]);
    expect(imported).toHaveLength(250);
    expect(new Set(imported)).toEqual(ids);
  });

  it('never answered with a 5xx', () => {
    expect(serverErrors).toEqual([]);
  });
});
