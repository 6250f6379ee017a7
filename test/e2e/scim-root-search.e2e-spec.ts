import { TestApp } from '../support/test-app';
import {
  LIST_RESPONSE_SCHEMA,
  SEARCH_REQUEST_SCHEMA,
  ScimTenant,
  USER_SCHEMA,
  createScimTenant,
  expectScimError,
  serverErrors,
  startScimApp,
} from '../support/scim-client';
import { GROUP_SCHEMA } from '../support/scim-groups-client';

/**
 * Queries at the server root over users and groups together: POST /.search
 * (RFC 7644 §3.4.3) and GET /scim/v2 with query parameters (§3.4.2.1).
 */
describe('SCIM root search (POST /scim/v2/.search, GET /scim/v2)', () => {
  let gateway: TestApp;
  let tenant: ScimTenant;
  const ids: Record<string, string> = {};

  const search = async (body: Record<string, unknown>): Promise<any> => {
    const response = await tenant.send('POST', '/scim/v2/.search', { schemas: [SEARCH_REQUEST_SCHEMA], ...body });
    expect(response.status).toBe(200);
    expect(response.body.schemas).toEqual([LIST_RESPONSE_SCHEMA]);
    return response.body;
  };
  /** Each result as `User:name` or `Group:name`, in order. */
  const names = (body: any): string[] =>
    (body.Resources as any[]).map(
      (resource) => `${resource.meta?.resourceType}:${resource.userName ?? resource.displayName}`,
    );

  beforeAll(async () => {
    gateway = await startScimApp();
    tenant = await createScimTenant(gateway, 'root-search');
    const other = await createScimTenant(gateway, 'root-search-other');
    expect((await other.send('POST', '/scim/v2/Users', { schemas: [USER_SCHEMA], userName: 'outsider' })).status).toBe(
      201,
    );
    for (const [userName, displayName, active] of [
      ['alice', 'Alice', true],
      ['bob', 'Bob', true],
      ['carol', 'Carol', false],
    ] as const) {
      const response = await tenant.send('POST', '/scim/v2/Users', {
        schemas: [USER_SCHEMA],
        userName,
        displayName,
        active,
      });
      expect(response.status).toBe(201);
      ids[userName] = response.body.id;
    }
    for (const [displayName, members] of [
      ['Admins', [ids['alice']]],
      ['Staff', [ids['alice'], ids['bob']]],
    ] as const) {
      const response = await tenant.send('POST', '/scim/v2/Groups', {
        schemas: [GROUP_SCHEMA],
        displayName,
        members: members.map((value) => ({ value })),
      });
      expect(response.status).toBe(201);
      ids[displayName] = response.body.id;
    }
  });
  afterAll(() => gateway.close());

  it("lists the tenant's users then its groups, each with its own schemas and resource type", async () => {
    const body = await search({});
    expect(body).toMatchObject({ totalResults: 5, startIndex: 1, itemsPerPage: 5 });
    expect(names(body)).toEqual(['User:alice', 'User:bob', 'User:carol', 'Group:Admins', 'Group:Staff']);
    const [alice, , , admins] = body.Resources;
    expect(alice.schemas).toEqual([USER_SCHEMA]);
    expect(alice.groups.map((group: { display: string }) => group.display).sort()).toEqual(['Admins', 'Staff']);
    expect(admins.schemas).toEqual([GROUP_SCHEMA]);
    expect(admins.members).toEqual([expect.objectContaining({ value: ids['alice'], type: 'User' })]);
    expect(admins.meta.location).toMatch(new RegExp(`/Groups/${ids['Admins']}$`));
    expect(JSON.stringify(body)).not.toContain('outsider');
  });

  it('shows each resource as its own endpoint does', async () => {
    const body = await search({ filter: `id eq "${ids['Staff']}" or id eq "${ids['bob']}"` });
    const group = await tenant.send('GET', `/scim/v2/Groups/${ids['Staff']}`);
    const user = await tenant.send('GET', `/scim/v2/Users/${ids['bob']}`);
    expect(body.Resources).toEqual([user.body, group.body]);
  });

  // RFC 7644 §3.4.2: an attribute a resource type lacks is treated as having no value.
  it.each([
    ['userName sw "a"', ['User:alice']],
    ['userName pr', ['User:alice', 'User:bob', 'User:carol']],
    ['not (userName pr)', ['Group:Admins', 'Group:Staff']],
    ['not (userName eq "alice")', ['User:bob', 'User:carol', 'Group:Admins', 'Group:Staff']],
    ['displayName sw "A"', ['User:alice', 'Group:Admins']],
    ['active eq false', ['User:carol']],
    ['active eq true or members pr', ['User:alice', 'User:bob', 'Group:Admins', 'Group:Staff']],
    ['meta.resourceType eq "Group"', ['Group:Admins', 'Group:Staff']],
    ['emails[type eq "work"]', []],
  ])('filters %s', async (filter, expected) => {
    const body = await search({ filter });
    expect(names(body)).toEqual(expected);
    expect(body.totalResults).toBe(expected.length);
  });

  it('filters groups by member', async () => {
    expect(names(await search({ filter: `members eq "${ids['bob']}"` }))).toEqual(['Group:Staff']);
  });

  it('pages across both types without overlap or gap, with the total on every page', async () => {
    const all = names(await search({}));
    const pages: string[] = [];
    for (const startIndex of [1, 3, 5]) {
      const body = await search({ startIndex, count: 2 });
      expect(body).toMatchObject({ totalResults: 5, startIndex, itemsPerPage: body.Resources.length });
      pages.push(...names(body));
    }
    expect(pages).toEqual(all);
    expect(await search({ startIndex: 4, count: 1 })).toMatchObject({ itemsPerPage: 1, totalResults: 5 });
    expect(names(await search({ startIndex: 4, count: 1 }))).toEqual(['Group:Admins']);
  });

  it('answers past the end with an empty page and the total, and count 0 with the total alone', async () => {
    expect(await search({ startIndex: 9, count: 2 })).toMatchObject({
      totalResults: 5,
      itemsPerPage: 0,
      Resources: [],
    });
    expect(await search({ count: 0, filter: 'displayName pr' })).toMatchObject({
      totalResults: 5,
      itemsPerPage: 0,
      Resources: [],
    });
  });

  it('gives the same order to the same query', async () => {
    const first = names(await search({ sortBy: 'meta.created', sortOrder: 'descending' }));
    expect(names(await search({ sortBy: 'meta.created', sortOrder: 'descending' }))).toEqual(first);
  });

  it('sorts both types together by an attribute they share', async () => {
    expect(names(await search({ sortBy: 'displayName' }))).toEqual([
      'Group:Admins',
      'User:alice',
      'User:bob',
      'User:carol',
      'Group:Staff',
    ]);
    expect(names(await search({ sortBy: 'displayName', sortOrder: 'descending' }))).toEqual([
      'Group:Staff',
      'User:carol',
      'User:bob',
      'User:alice',
      'Group:Admins',
    ]);
  });

  it('sorts a type without the attribute as unassigned: last ascending', async () => {
    expect(names(await search({ sortBy: 'userName', sortOrder: 'descending', count: 3 }))).toEqual([
      'Group:Admins',
      'Group:Staff',
      'User:carol',
    ]);
    expect(names(await search({ sortBy: 'userName' }))).toEqual([
      'User:alice',
      'User:bob',
      'User:carol',
      'Group:Admins',
      'Group:Staff',
    ]);
  });

  it('projects each resource by its own schema: attributes and excludedAttributes', async () => {
    const only = await search({ attributes: ['displayName'] });
    for (const resource of only.Resources) {
      expect(resource.displayName).toEqual(expect.any(String));
      expect(resource).not.toHaveProperty('userName');
      expect(resource).not.toHaveProperty('members');
      expect(resource.id).toEqual(expect.any(String));
    }
    const without = await search({ excludedAttributes: 'members,groups', filter: 'displayName sw "A"' });
    expect(without.Resources).toHaveLength(2);
    for (const resource of without.Resources) {
      expect(resource).not.toHaveProperty('members');
      expect(resource).not.toHaveProperty('groups');
    }
  });

  it('answers GET /scim/v2 with query parameters the same way', async () => {
    const filter = encodeURIComponent('displayName sw "A"');
    const response = await tenant.send('GET', `/scim/v2?filter=${filter}&sortBy=displayName&count=1&startIndex=2`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ totalResults: 2, startIndex: 2, itemsPerPage: 1 });
    expect(names(response.body)).toEqual(['User:alice']);
  });

  it.each([
    ['an unparseable filter', { filter: 'userName eq' }, 'invalidFilter'],
    ['an attribute no type has', { filter: 'shoeSize eq 4' }, 'invalidFilter'],
    ['a comparison of the wrong type', { filter: 'active eq "yes"' }, 'invalidFilter'],
    ['sortBy an attribute no type has', { sortBy: 'shoeSize' }, 'invalidValue'],
    ['sortBy members', { sortBy: 'members' }, 'invalidValue'],
    ['a startIndex that is no integer', { startIndex: 'first' }, 'invalidValue'],
    ['a wrong message schema', { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'] }, 'invalidSyntax'],
  ])('refuses %s with a SCIM 400', async (_case, body, scimType) => {
    const response = await tenant.send('POST', '/scim/v2/.search', { schemas: [SEARCH_REQUEST_SCHEMA], ...body });
    expectScimError(response, 400, scimType);
  });

  it.each([
    ['an array', '[]'],
    ['a string', '"filter"'],
    ['malformed JSON', '{"filter":'],
  ])('refuses a body that is %s with invalidSyntax', async (_case, payload) => {
    expectScimError(await tenant.send('POST', '/scim/v2/.search', payload), 400, 'invalidSyntax');
  });

  it('refuses GET /scim/v2 with a bad filter, and an unauthenticated root search', async () => {
    expectScimError(await tenant.send('GET', '/scim/v2?filter=userName%20xx%20%22a%22'), 400, 'invalidFilter');
    const response = await tenant.send('POST', '/scim/v2/.search', {}, { authorization: '' });
    expectScimError(response, 401);
  });

  it.each([
    ['sortBy', 'emails'],
    ['sortBy', 'active'],
    ['sortBy', 'groups'],
    ['sortBy', 'schemas'],
    ['sortBy', 'meta.version'],
    ['sortBy', 'meta.location'],
    ['sortBy', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department'],
    ['sortBy', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager'],
    ['filter', 'members.display eq "x"'],
    ['filter', 'members[value eq "x"]'],
    ['filter', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "x"'],
    ['filter', 'groups.value eq "x" or members.value eq "x"'],
    ['filter', 'meta.lastModified gt "2020-01-01T00:00:00Z" and not (active eq false)'],
    ['filter', 'id eq "not-a-uuid"'],
    ['filter', 'displayName gt 5'],
    ['filter', 'emails co ""'],
    ['filter', 'schemas eq "urn:ietf:params:scim:schemas:core:2.0:Group"'],
  ])('answers %s=%s with a list or a SCIM 400, never a server error', async (key, value) => {
    const response = await tenant.send('POST', '/scim/v2/.search', { [key]: value });
    if (response.status === 200) expect(response.body.schemas).toEqual([LIST_RESPONSE_SCHEMA]);
    else expectScimError(response, 400);
  });

  it.each([
    ['GET', '/scim/v2/.search', 'POST'],
    ['PUT', '/scim/v2', 'GET, HEAD'],
  ] as const)('answers %s %s with 405 and Allow: %s', async (method, url, allow) => {
    const response = await tenant.send(method, url, method === 'PUT' ? {} : undefined);
    expectScimError(response, 405);
    expect(response.headers.allow).toBe(allow);
  });

  it('never answered with a server error', () => {
    expect(serverErrors).toEqual([]);
  });
});
