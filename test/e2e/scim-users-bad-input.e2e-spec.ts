import { TestApp } from '../support/test-app';
import {
  ENTERPRISE_USER_SCHEMA,
  ERROR_SCHEMA,
  PATCH_OP_SCHEMA,
  SCIM_CONTENT_TYPE,
  SEARCH_REQUEST_SCHEMA,
  ScimResponse,
  ScimTenant,
  USER_SCHEMA,
  createScimTenant,
  eventCount,
  expectScimError,
  patchOp,
  serverErrors,
  startScimApp,
} from '../support/scim-client';

const E = ENTERPRISE_USER_SCHEMA;
const OTHER_UUID = '5b6f3c1e-2d4a-4c8b-9e0f-1a2b3c4d5e6f';
type ScimType = string | readonly string[] | undefined;

/** A filter of more than 5000 characters: 200 `or`ed comparisons. */
const LONG_FILTER = Array.from(
  { length: 200 },
  (_, i) => `userName eq "user-${String(i).padStart(4, '0')}@x.test"`,
).join(' or ');
const NESTED_FILTER = `${'('.repeat(100)}userName eq "a"${')'.repeat(100)}`;

/**
 * Every refused request leaves no trace: the stored user is unchanged, no user
 * is created, no event is written, and nothing answers 500.
 */
describe('SCIM /Users: bad input is refused with the right SCIM error and changes nothing', () => {
  let gateway: TestApp;
  let tenant: ScimTenant;
  let victim: any;
  let other: any;

  interface Snapshot {
    readonly victim: unknown;
    readonly users: number;
    readonly events: number;
  }
  const snapshot = async (): Promise<Snapshot> => {
    const read = await tenant.send('GET', `/scim/v2/Users/${victim.id}`);
    expect(read.status).toBe(200);
    const [{ count }] = await gateway.db.query<{ count: string }>('SELECT count(*) AS count FROM users');
    return { victim: read.body, users: Number(count), events: await eventCount(gateway.db) };
  };
  /** Sends the request and asserts it was refused and changed nothing. */
  const expectRefused = async (
    request: () => Promise<ScimResponse>,
    status: number,
    scimType?: ScimType,
  ): Promise<ScimResponse> => {
    const before = await snapshot();
    const response = await request();
    expectScimError(response, status, scimType);
    expect(await snapshot()).toEqual(before);
    return response;
  };

  beforeAll(async () => {
    gateway = await startScimApp();
    tenant = await createScimTenant(gateway, 'bad-input');
    const created = await tenant.send('POST', '/scim/v2/Users', {
      schemas: [USER_SCHEMA, E],
      userName: 'victim@bad.test',
      displayName: 'Victim',
      title: 'Target',
      name: { givenName: 'Vic', familyName: 'Tim' },
      emails: [{ value: 'victim@bad.test', type: 'work', primary: true }],
      phoneNumbers: [{ value: '555-0199', type: 'work' }],
      active: true,
      [E]: { department: 'QA' },
    });
    expect(created.status).toBe(201);
    victim = created.body;
    const second = await tenant.send('POST', '/scim/v2/Users', { schemas: [USER_SCHEMA], userName: 'other@bad.test' });
    expect(second.status).toBe(201);
    other = second.body;
  });
  afterAll(() => gateway.close());

  /** Bodies refused by POST and PUT alike; object bodies get `schemas` added. */
  const resourceBodies: [string, unknown, number, ScimType][] = [
    ['malformed JSON', '{"userName": "x",', 400, 'invalidSyntax'],
    ['JSON with trailing garbage', '{"userName": "x"} }', 400, 'invalidSyntax'],
    ['userName: 5', { userName: 5 }, 400, 'invalidValue'],
    ['userName: {}', { userName: { value: 'x' } }, 400, 'invalidValue'],
    ['userName: ""', { userName: '' }, 400, 'invalidValue'],
    ['userName: null', { userName: null }, 400, 'invalidValue'],
    ['no userName', { displayName: 'Nameless' }, 400, 'invalidValue'],
    ['emails: "x"', { userName: 'bad-emails', emails: 'x' }, 400, 'invalidValue'],
    ['emails: [{value: 5}]', { userName: 'bad-email-value', emails: [{ value: 5 }] }, 400, 'invalidValue'],
    ['emails: [[]]', { userName: 'bad-email-element', emails: [['x']] }, 400, 'invalidValue'],
    ['active: "maybe"', { userName: 'bad-active', active: 'maybe' }, 400, 'invalidValue'],
    ['active: 1', { userName: 'bad-active-number', active: 1 }, 400, 'invalidValue'],
    ['name: "x"', { userName: 'bad-name', name: 'x' }, 400, 'invalidValue'],
    ['name.givenName: 5', { userName: 'bad-given', name: { givenName: 5 } }, 400, 'invalidValue'],
    ['the enterprise extension as a string', { userName: 'bad-ext', [E]: 'x' }, 400, 'invalidValue'],
    ['manager: 5', { userName: 'bad-manager', [E]: { manager: 5 } }, 400, 'invalidValue'],
    ['a JSON array', '[{"userName": "array"}]', 400, ['invalidSyntax', 'invalidValue']],
    ['a JSON string', '"userName"', 400, ['invalidSyntax', 'invalidValue']],
    ['JSON null', 'null', 400, ['invalidSyntax', 'invalidValue']],
  ];
  const withSchemas = (body: unknown): unknown =>
    typeof body === 'string' ? body : { schemas: [USER_SCHEMA], ...(body as Record<string, unknown>) };

  describe('POST /Users', () => {
    it.each(resourceBodies)('refuses %s', async (_case, body, status, scimType) => {
      await expectRefused(() => tenant.send('POST', '/scim/v2/Users', withSchemas(body)), status, scimType);
    });

    it('refuses a duplicate userName with 409 uniqueness', async () => {
      await expectRefused(
        () => tenant.send('POST', '/scim/v2/Users', { schemas: [USER_SCHEMA], userName: 'VICTIM@bad.test' }),
        409,
        'uniqueness',
      );
    });

    it('refuses a body over 1 MiB with 413', async () => {
      await expectRefused(
        () =>
          tenant.send('POST', '/scim/v2/Users', {
            schemas: [USER_SCHEMA],
            userName: 'huge',
            displayName: 'x'.repeat(1024 * 1024),
          }),
        413,
      );
    });

    it('refuses a body that is not JSON (text/plain) with 415', async () => {
      await expectRefused(
        () => tenant.send('POST', '/scim/v2/Users', 'userName=plain', { 'content-type': 'text/plain' }),
        415,
      );
    });
  });

  describe('PUT /Users/{id}', () => {
    it.each(resourceBodies)('refuses %s and keeps the stored user', async (_case, body, status, scimType) => {
      await expectRefused(() => tenant.send('PUT', `/scim/v2/Users/${victim.id}`, withSchemas(body)), status, scimType);
    });

    it('refuses another user’s userName with 409 uniqueness', async () => {
      await expectRefused(
        () => tenant.send('PUT', `/scim/v2/Users/${victim.id}`, { schemas: [USER_SCHEMA], userName: 'Other@Bad.Test' }),
        409,
        'uniqueness',
      );
    });

    it('refuses a body over 1 MiB with 413', async () => {
      await expectRefused(
        () =>
          tenant.send('PUT', `/scim/v2/Users/${victim.id}`, {
            schemas: [USER_SCHEMA],
            userName: 'victim@bad.test',
            displayName: 'x'.repeat(1024 * 1024),
          }),
        413,
      );
    });
  });

  describe('PATCH /Users/{id}', () => {
    const patches: [string, unknown, number, ScimType][] = [
      ['malformed JSON', '{"Operations": [', 400, 'invalidSyntax'],
      ['an unknown op', patchOp({ op: 'move', path: 'title', value: 'x' }), 400, ['invalidSyntax', 'invalidValue']],
      ['an operation without op', patchOp({ path: 'title', value: 'x' }), 400, ['invalidSyntax', 'invalidValue']],
      ['an unknown attribute path', patchOp({ op: 'replace', path: 'nonsense', value: 'x' }), 400, 'invalidPath'],
      [
        'an unknown sub-attribute path',
        patchOp({ op: 'replace', path: 'name.nonsense', value: 'x' }),
        400,
        'invalidPath',
      ],
      [
        'an unknown extension attribute path',
        patchOp({ op: 'replace', path: `${E}:nonsense`, value: 'x' }),
        400,
        'invalidPath',
      ],
      [
        'an unclosed value filter in the path',
        patchOp({ op: 'replace', path: 'emails[type eq "work"', value: 'x' }),
        400,
        'invalidPath',
      ],
      [
        'a path whose value filter is malformed',
        patchOp({ op: 'replace', path: 'emails[type xx "work"].value', value: 'x' }),
        400,
        ['invalidPath', 'invalidFilter'],
      ],
      [
        'a path that is a number',
        patchOp({ op: 'replace', path: 5, value: 'x' }),
        400,
        ['invalidPath', 'invalidSyntax'],
      ],
      ['remove without a path', patchOp({ op: 'remove' }), 400, 'noTarget'],
      [
        'replace through a value filter that matches nothing',
        patchOp({ op: 'replace', path: 'emails[type eq "pager"].value', value: 'x@bad.test' }),
        400,
        'noTarget',
      ],
      [
        'replace of id with another value',
        patchOp({ op: 'replace', path: 'id', value: OTHER_UUID }),
        400,
        'mutability',
      ],
      [
        'a path-less replace of id with another value',
        patchOp({ op: 'replace', value: { id: OTHER_UUID } }),
        400,
        'mutability',
      ],
      ['replace of meta', patchOp({ op: 'replace', path: 'meta', value: { version: 'W/"x"' } }), 400, 'mutability'],
      [
        'replace of meta.lastModified',
        patchOp({ op: 'replace', path: 'meta.lastModified', value: '2001-01-01T00:00:00Z' }),
        400,
        'mutability',
      ],
      ['remove of userName', patchOp({ op: 'remove', path: 'userName' }), 400, 'mutability'],
      ['no Operations', { schemas: [PATCH_OP_SCHEMA] }, 400, undefined],
      ['empty Operations', { schemas: [PATCH_OP_SCHEMA], Operations: [] }, 400, undefined],
      ['Operations that is not an array', { schemas: [PATCH_OP_SCHEMA], Operations: 'replace' }, 400, undefined],
      ['an operation that is not an object', { schemas: [PATCH_OP_SCHEMA], Operations: [null] }, 400, undefined],
      ['replace without a value', patchOp({ op: 'replace', path: 'title' }), 400, ['invalidValue', 'invalidSyntax']],
      ['active: "maybe"', patchOp({ op: 'replace', path: 'active', value: 'maybe' }), 400, 'invalidValue'],
      ['emails: "x"', patchOp({ op: 'add', path: 'emails', value: 'x' }), 400, 'invalidValue'],
      ['name: "x" in a path-less value', patchOp({ op: 'replace', value: { name: 'x' } }), 400, 'invalidValue'],
      ['userName: 5 in a path-less value', patchOp({ op: 'replace', value: { userName: 5 } }), 400, 'invalidValue'],
      [
        'a path-less value that is not an object',
        patchOp({ op: 'add', value: 'x' }),
        400,
        ['invalidValue', 'invalidSyntax'],
      ],
      ['userName replaced with ""', patchOp({ op: 'replace', path: 'userName', value: '' }), 400, 'invalidValue'],
      [
        'another user’s userName',
        patchOp({ op: 'replace', path: 'userName', value: 'OTHER@bad.test' }),
        409,
        'uniqueness',
      ],
    ];

    it.each(patches)('refuses %s and keeps the stored user', async (_case, body, status, scimType) => {
      await expectRefused(() => tenant.send('PATCH', `/scim/v2/Users/${victim.id}`, body), status, scimType);
    });

    it.each([
      ['an unknown path', { op: 'replace', path: 'nonsense', value: 'x' }, 'invalidPath'],
      ['removes userName', { op: 'remove', path: 'userName' }, 'mutability'],
      ['has a value of the wrong type', { op: 'replace', path: 'active', value: 'maybe' }, 'invalidValue'],
      ['matches nothing', { op: 'replace', path: 'emails[type eq "pager"].value', value: 'x@bad.test' }, 'noTarget'],
      ['replaces meta', { op: 'replace', path: 'meta', value: {} }, 'mutability'],
    ])(
      'applies nothing when the 3rd operation %s (atomic, same meta.version, no event)',
      async (_case, third, scimType) => {
        const response = await expectRefused(
          () =>
            tenant.send(
              'PATCH',
              `/scim/v2/Users/${victim.id}`,
              patchOp(
                { op: 'replace', path: 'displayName', value: 'Half Applied' },
                { op: 'replace', value: { active: false, title: 'Half' } },
                third,
                { op: 'add', path: 'nickName', value: 'After' },
              ),
            ),
          400,
          scimType,
        );
        expect(response.status).toBe(400);
        const read = await tenant.send('GET', `/scim/v2/Users/${victim.id}`);
        expect(read.body.meta.version).toBe(victim.meta.version);
        expect(read.headers.etag).toBe(victim.meta.version);
        expect(read.body).toEqual(victim);
      },
    );

    it('refuses a body over 1 MiB with 413', async () => {
      await expectRefused(
        () =>
          tenant.send(
            'PATCH',
            `/scim/v2/Users/${victim.id}`,
            patchOp({ op: 'replace', path: 'displayName', value: 'x'.repeat(1024 * 1024) }),
          ),
        413,
      );
    });
  });

  describe('filters', () => {
    const badFilters: [string, string][] = [
      ['a comparison without a value', 'userName eq'],
      ['an unknown operator', 'userName xx "a"'],
      ['an unbalanced parenthesis', '((userName eq "a")'],
      ['a stray closing parenthesis', '(userName eq "a"))'],
      ['an unterminated string', 'userName eq "a'],
      ['an unquoted string value', 'userName eq alice'],
      ['a dangling and', 'userName eq "a" and'],
      ['a leading and', 'and userName eq "a"'],
      ['an unclosed value filter', 'emails[type eq "work"'],
      ['an unknown attribute', 'nonsense eq "a"'],
      ['an unknown sub-attribute', 'name.nonsense eq "a"'],
      ['an unknown extension attribute', `${E}:nonsense eq "a"`],
      ['an unknown schema URN', 'urn:example:unknown:2.0:User:userName eq "a"'],
      [`a filter of ${LONG_FILTER.length} characters`, LONG_FILTER],
      ['100 nested parentheses', NESTED_FILTER],
    ];

    it('builds a long filter of over 5000 characters', () => {
      expect(LONG_FILTER.length).toBeGreaterThan(5000);
    });

    it.each(badFilters)('refuses %s on GET with 400 invalidFilter', async (_case, filter) => {
      await expectRefused(
        () => tenant.send('GET', `/scim/v2/Users?filter=${encodeURIComponent(filter)}`),
        400,
        'invalidFilter',
      );
    });

    it.each(badFilters)('refuses %s on POST /.search with 400 invalidFilter', async (_case, filter) => {
      await expectRefused(
        () => tenant.send('POST', '/scim/v2/Users/.search', { schemas: [SEARCH_REQUEST_SCHEMA], filter }),
        400,
        'invalidFilter',
      );
    });

    it('refuses a malformed .search body with 400 invalidSyntax', async () => {
      await expectRefused(() => tenant.send('POST', '/scim/v2/Users/.search', '{"filter": '), 400, 'invalidSyntax');
    });

    it('refuses a .search whose filter is not a string with 400', async () => {
      await expectRefused(
        () => tenant.send('POST', '/scim/v2/Users/.search', { schemas: [SEARCH_REQUEST_SCHEMA], filter: 5 }),
        400,
        ['invalidFilter', 'invalidValue', 'invalidSyntax'],
      );
    });
  });

  describe('ids', () => {
    it.each([
      ['GET', undefined],
      ['PUT', { schemas: [USER_SCHEMA], userName: 'victim@bad.test' }],
      ['PATCH', patchOp({ op: 'replace', path: 'title', value: 'x' })],
      ['DELETE', undefined],
    ] as const)('answers %s of an id that is not a uuid with 404', async (method, body) => {
      for (const id of ['not-a-uuid', '1', `${victim.id}x`, encodeURIComponent("' OR 1=1 --")]) {
        await expectRefused(() => tenant.send(method, `/scim/v2/Users/${id}`, body), 404);
      }
    });
  });

  describe('odd query parameters never cause a 5xx', () => {
    it.each([
      '?count=abc',
      '?startIndex=abc',
      '?count=1e3',
      '?count=99999999999999999999999',
      '?startIndex=99999999999999999999999',
      '?sortBy=nonsense',
      '?sortOrder=sideways',
      '?sortBy=emails',
      '?attributes=nonsense',
      '?excludedAttributes=id',
      '?filter=',
      '?filter=%00',
      '?filter=userName%20eq%20%22%00%22',
      '?filter=meta.lastModified%20gt%20%22not-a-date%22',
      '?filter=active%20eq%20%22yes%22',
      '?filter=userName%20gt%205',
    ])('GET /Users%s answers 200 or a SCIM 400', async (query) => {
      const before = await snapshot();
      const response = await tenant.send('GET', `/scim/v2/Users${query}`);
      expect([200, 400]).toContain(response.status);
      expect(response.headers['content-type']).toBe(SCIM_CONTENT_TYPE);
      if (response.status === 400) expect(response.body.schemas).toEqual([ERROR_SCHEMA]);
      expect(await snapshot()).toEqual(before);
    });
  });

  it('never answered with a 5xx', () => {
    expect(serverErrors).toEqual([]);
  });

  it('left the other user untouched too', async () => {
    expect((await tenant.send('GET', `/scim/v2/Users/${other.id}`)).body).toEqual(other);
  });
});
