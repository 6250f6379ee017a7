import { TestApp } from '../support/test-app';
import {
  ENTERPRISE_USER_SCHEMA,
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
  patchOp,
  serverErrors,
  startScimApp,
  usersQuery,
  withoutEmptyArrays,
  withoutMeta,
} from '../support/scim-client';

const USER_NAME = 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1';
const EXTERNAL_ID = '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef';

/**
 * What Microsoft Entra ID sends, and what its SCIM validator checks
 * (/work/shared/SCIM-DIALECTS.md, "Microsoft Entra ID"). The tests share one tenant and run in order.
 */
describe('SCIM /Users as Microsoft Entra ID provisions them', () => {
  let gateway: TestApp;
  let entra: ScimTenant;
  let managerId: string;
  /** The user as the last successful response showed it. */
  let user: any;

  const typesOf = async (id: string): Promise<string[]> => (await events(gateway.db, id)).map((event) => event.type);
  const get = async (id: string): Promise<any> => {
    const response = await entra.send('GET', `/scim/v2/Users/${id}`);
    expect(response.status).toBe(200);
    return response.body;
  };
  const find = async (filter: string, extra = ''): Promise<any> => {
    const response = await entra.send('GET', `${usersQuery({ filter })}${extra}`);
    expect(response.status).toBe(200);
    expect(response.body.schemas).toEqual([LIST_RESPONSE_SCHEMA]);
    return response.body;
  };

  beforeAll(async () => {
    gateway = await startScimApp();
    entra = await createScimTenant(gateway, 'entra-tenant');
    const manager = await entra.send('POST', '/scim/v2/Users', {
      schemas: [USER_SCHEMA],
      userName: 'Manager_1',
      displayName: 'The Manager',
    });
    expect(manager.status).toBe(201);
    managerId = manager.body.id;
  });
  afterAll(() => gateway.close());

  it('creates the user with the enterprise extension, ignoring the meta Entra sends', async () => {
    const response = await entra.send('POST', '/scim/v2/Users', fixture('entra/create-user', { managerId }));
    expect(response.status).toBe(201);
    expect(response.headers['content-type']).toBe(SCIM_CONTENT_TYPE);
    const id = response.body.id as string;
    expect(id).toMatch(UUID);
    expect(withoutEmptyArrays(response.body)).toEqual({
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      id,
      externalId: EXTERNAL_ID,
      userName: USER_NAME,
      active: true,
      addresses: [
        {
          primary: true,
          type: 'work',
          country: 'NL',
          locality: 'Utrecht',
          postalCode: '3511',
          streetAddress: 'Oudegracht 1',
        },
      ],
      displayName: 'Test User',
      emails: [{ primary: true, type: 'work', value: 'Test_User@contoso.com' }],
      name: { formatted: 'Test User', familyName: 'User', givenName: 'Test' },
      phoneNumbers: [{ primary: true, type: 'work', value: '123-456-7890' }],
      title: 'Engineer',
      [ENTERPRISE_USER_SCHEMA]: { department: 'R&D', employeeNumber: '42', manager: { value: managerId } },
      meta: expectedMeta(id),
    });
    expect(response.headers.etag).toBe(response.body.meta.version);
    expect(response.headers.location).toBe(`${SCIM_BASE_URL}/Users/${id}`);
    expect(await typesOf(id)).toEqual(['user.created']);
    user = response.body;
  });

  it('finds the user by externalId, case-exactly', async () => {
    expect(await find(`externalId eq "${EXTERNAL_ID}"`)).toEqual({
      schemas: [LIST_RESPONSE_SCHEMA],
      totalResults: 1,
      startIndex: 1,
      itemsPerPage: 1,
      Resources: [user],
    });
    expect(await find(`externalId eq "${EXTERNAL_ID.toUpperCase()}"`)).toMatchObject({
      totalResults: 0,
      Resources: [],
    });
  });

  it.each([USER_NAME, USER_NAME.toLowerCase(), USER_NAME.toUpperCase()])(
    'finds the user by userName, case-insensitively (%s)',
    async (userName) => {
      expect(await find(`userName eq "${userName}"`)).toMatchObject({ totalResults: 1, Resources: [user] });
    },
  );

  it.each(['Test_User@contoso.com', 'test_user@contoso.com'])(
    'finds the user with the validator’s emails[type eq "work"].value eq "%s"',
    async (email) => {
      expect(await find(`emails[type eq "work"].value eq "${email}"`)).toMatchObject({
        totalResults: 1,
        Resources: [user],
      });
    },
  );

  it.each([
    'userName eq "Test_User_00000000-0000-0000-0000-000000000000"',
    'externalId eq "00000000-0000-0000-0000-000000000000"',
    'emails[type eq "home"].value eq "Test_User@contoso.com"',
  ])('answers a lookup that matches nothing (%s) with 200 and an empty list', async (filter) => {
    expect(await find(filter)).toEqual({
      schemas: [LIST_RESPONSE_SCHEMA],
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
      Resources: [],
    });
  });

  it('refuses a duplicate userName with 409 uniqueness', async () => {
    const response = await entra.send(
      'POST',
      '/scim/v2/Users',
      { ...fixture('entra/create-user', { managerId }), externalId: 'another-external-id' },
      { 'content-type': 'application/json' },
    );
    expectScimError(response, 409, 'uniqueness');
    expect(await typesOf(user.id)).toEqual(['user.created']);
  });

  it('applies the multi-operation PATCH: capitalised ops, value paths, extension manager add and remove, "False"', async () => {
    const response = await entra.send(
      'PATCH',
      `/scim/v2/Users/${user.id}`,
      fixture('entra/patch-multi-op', { managerId }),
    );
    expect(response.status).toBe(200);
    expect(withoutEmptyArrays(response.body)).toEqual({
      ...withoutMeta(user),
      displayName: 'New Name',
      emails: [{ primary: true, type: 'work', value: 'new@contoso.com' }],
      name: { formatted: 'Test User', familyName: 'Changed', givenName: 'Test' },
      active: false,
      [ENTERPRISE_USER_SCHEMA]: { department: 'R&D', employeeNumber: '42' },
      meta: { ...expectedMeta(user.id), created: user.meta.created },
    });
    expect(response.body.meta.version).not.toBe(user.meta.version);
    expect(response.headers.etag).toBe(response.body.meta.version);
    expect(await get(user.id)).toEqual(response.body);
    const recorded = await events(gateway.db, user.id);
    expect(recorded.map((event) => event.type)).toContain('user.deactivated');
    expect(recorded.slice(-1)[0].data).toEqual(expect.objectContaining({ active: false, displayName: 'New Name' }));
    user = response.body;
  });

  it('finds the user by the new work email and no longer by the old one', async () => {
    expect((await find('emails[type eq "work"].value eq "new@contoso.com"')).totalResults).toBe(1);
    expect((await find('emails[type eq "work"].value eq "Test_User@contoso.com"')).totalResults).toBe(0);
    expect((await find('emails.value eq "Test_User@contoso.com"')).totalResults).toBe(0);
  });

  it('reactivates with a real boolean when the base URL carries ?aadOptscim062020', async () => {
    const response = await entra.send(
      'PATCH',
      `/scim/v2/Users/${user.id}?aadOptscim062020`,
      fixture('entra/patch-active-boolean'),
    );
    expect(response.status).toBe(200);
    expect(withoutMeta(response.body)).toEqual({ ...withoutMeta(user), active: true });
    expect((await typesOf(user.id)).slice(-1)).toEqual(['user.reactivated']);
    user = response.body;
  });

  it('answers lookups that carry ?aadOptscim062020', async () => {
    const response = await entra.send(
      'GET',
      `/scim/v2/Users?aadOptscim062020&filter=${encodeURIComponent(`userName eq "${USER_NAME}"`)}`,
    );
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ totalResults: 1, Resources: [{ id: user.id }] });
  });

  it('applies a path-less Replace with dotted keys (sent as application/json)', async () => {
    const response = await entra.send(
      'PATCH',
      `/scim/v2/Users/${user.id}`,
      fixture('entra/patch-replace-dotted-keys'),
      { 'content-type': 'application/json' },
    );
    expect(response.status).toBe(200);
    expect(withoutMeta(response.body)).toEqual({
      ...withoutMeta(user),
      name: { formatted: 'Test User', familyName: 'Changed', givenName: 'Ann' },
      [ENTERPRISE_USER_SCHEMA]: { department: 'Sales', employeeNumber: '42' },
    });
    expect((await typesOf(user.id)).slice(-1)).toEqual(['user.updated']);
    user = response.body;
  });

  it('deactivates with a path-less Replace of active as the string "False"', async () => {
    const response = await entra.send(
      'PATCH',
      `/scim/v2/Users/${user.id}`,
      patchOp({ op: 'Replace', value: { active: 'False' } }),
    );
    expect(response.status).toBe(200);
    expect(response.body.active).toBe(false);
    expect(withoutMeta(response.body)).toEqual({ ...withoutMeta(user), active: false });
    expect((await typesOf(user.id)).slice(-1)).toEqual(['user.deactivated']);
    user = response.body;
  });

  it('reactivates with a Replace of active as the string "True"', async () => {
    const response = await entra.send(
      'PATCH',
      `/scim/v2/Users/${user.id}`,
      patchOp({ op: 'Replace', path: 'active', value: 'True' }),
    );
    expect(response.status).toBe(200);
    expect(response.body.active).toBe(true);
    expect((await typesOf(user.id)).slice(-1)).toEqual(['user.reactivated']);
    user = response.body;
  });

  it('stores a manager added as a bare id string and returns it as {value: id}', async () => {
    const response = await entra.send(
      'PATCH',
      `/scim/v2/Users/${user.id}`,
      patchOp({ op: 'Add', path: `${ENTERPRISE_USER_SCHEMA}:manager`, value: managerId }),
    );
    expect(response.status).toBe(200);
    expect(response.body[ENTERPRISE_USER_SCHEMA]).toEqual({
      department: 'Sales',
      employeeNumber: '42',
      manager: { value: managerId },
    });
    expect((await get(user.id))[ENTERPRISE_USER_SCHEMA].manager).toEqual({ value: managerId });
    user = response.body;
  });

  it('creates a user whose manager is a bare id string, returning it as {value: id}', async () => {
    const response = await entra.send('POST', '/scim/v2/Users', {
      schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
      userName: 'Report_1',
      active: 'True',
      [ENTERPRISE_USER_SCHEMA]: { manager: managerId },
    });
    expect(response.status).toBe(201);
    expect(response.body.active).toBe(true);
    expect(response.body[ENTERPRISE_USER_SCHEMA]).toEqual({ manager: { value: managerId } });
  });

  it('adds a work email through the value path when the user has none (Entra’s Add)', async () => {
    const report = await entra.send('POST', '/scim/v2/Users', { schemas: [USER_SCHEMA], userName: 'No_Mail_Yet' });
    expect(report.status).toBe(201);
    const response = await entra.send(
      'PATCH',
      `/scim/v2/Users/${report.body.id}`,
      patchOp({ op: 'Add', path: 'emails[type eq "work"].value', value: 'late@contoso.com' }),
    );
    expect(response.status).toBe(200);
    expect(response.body.emails).toEqual([{ type: 'work', value: 'late@contoso.com' }]);
    expect((await find('emails[type eq "work"].value eq "late@contoso.com"')).Resources).toEqual([response.body]);
  });

  it('deletes the user: 204 without a body, then GET is a SCIM 404 and lookups find nothing', async () => {
    const response = await entra.send('DELETE', `/scim/v2/Users/${user.id}`);
    expect(response.status).toBe(204);
    expect(response.body).toBeUndefined();
    const after = await entra.send('GET', `/scim/v2/Users/${user.id}`);
    expectScimError(after, 404);
    expect((await find(`externalId eq "${EXTERNAL_ID}"`)).totalResults).toBe(0);
    expect((await find(`userName eq "${USER_NAME}"`)).totalResults).toBe(0);
    expect((await typesOf(user.id)).slice(-1)).toEqual(['user.deleted']);
  });

  it('answers an unknown id with 404 in the SCIM error schema', async () => {
    const response = await entra.send('GET', '/scim/v2/Users/6d0b0e4e-8e59-4a7b-9c2d-2f2f0f6f1b11');
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toBe(SCIM_CONTENT_TYPE);
    expect(response.body).toEqual({ schemas: [ERROR_SCHEMA], status: '404', detail: expect.any(String) });
  });

  it('lets the userName and externalId of a deleted user be provisioned again, under a new id', async () => {
    const response = await entra.send('POST', '/scim/v2/Users', fixture('entra/create-user', { managerId }));
    expect(response.status).toBe(201);
    expect(response.body.id).not.toBe(user.id);
    expect((await find(`externalId eq "${EXTERNAL_ID}"`)).Resources).toEqual([response.body]);
  });

  it('never answered with a 5xx', () => {
    expect(serverErrors).toEqual([]);
  });
});
