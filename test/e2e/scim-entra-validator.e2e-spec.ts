import { TestApp } from '../support/test-app';
import {
  ENTERPRISE_USER_SCHEMA,
  LIST_RESPONSE_SCHEMA,
  PATCH_OP_SCHEMA,
  ScimTenant,
  USER_SCHEMA,
  createScimTenant,
  events,
  expectScimError,
  fixture,
  serverErrors,
  startScimApp,
  usersQuery,
} from '../support/scim-client';
import { GROUP_SCHEMA, groupsQuery } from '../support/scim-groups-client';

/**
 * Microsoft's SCIM Validator (scimvalidator.microsoft.com, "Discover schema"
 * mode, users and groups), test by test in its order: it reads /Schemas,
 * then creates, finds, patches, duplicates and deletes a user and a group,
 * checking each change by reading back through a filter as the validator
 * does. The tests share one tenant and run in order.
 */
describe('Microsoft Entra SCIM Validator', () => {
  let gateway: TestApp;
  let entra: ScimTenant;
  let user: any;
  let manager: any;
  let group: any;
  const userName = 'ross.lenore@validator.contoso.com';
  const groupName = 'QWERTYGROUP';

  /** The validator verifies every change with a filter on userName (or displayName for groups). */
  const userByFilter = async (name = userName): Promise<any> => {
    const response = await entra.send('GET', usersQuery({ filter: `userName eq "${name}"` }));
    expect(response.status).toBe(200);
    expect(response.body.schemas).toEqual([LIST_RESPONSE_SCHEMA]);
    return response.body;
  };
  const groupByFilter = async (name: string): Promise<any> => {
    const response = await entra.send(
      'GET',
      groupsQuery({ filter: `displayName eq "${name}"`, excludedAttributes: 'members' }),
    );
    expect(response.status).toBe(200);
    return response.body;
  };
  const patchUser = (body: unknown) => entra.send('PATCH', `/scim/v2/Users/${user.id}`, body);
  const patchGroup = (operations: unknown[]) =>
    entra.send('PATCH', `/scim/v2/Groups/${group.id}`, { schemas: [PATCH_OP_SCHEMA], Operations: operations });

  beforeAll(async () => {
    gateway = await startScimApp();
    entra = await createScimTenant(gateway, 'entra-validator');
  });
  afterAll(() => gateway.close());

  describe('schema discovery', () => {
    it('GET /Schemas lists User, the Enterprise extension and Group with their attributes', async () => {
      const response = await entra.send('GET', '/scim/v2/Schemas');
      expect(response.status).toBe(200);
      const ids = response.body.Resources.map((schema: { id: string }) => schema.id);
      expect(ids).toEqual([USER_SCHEMA, ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA]);
      const user = response.body.Resources[0];
      const names = user.attributes.map((attribute: { name: string }) => attribute.name);
      for (const name of ['userName', 'active', 'emails', 'name', 'addresses', 'phoneNumbers', 'title']) {
        expect(names).toContain(name);
      }
    });

    it('GET /ResourceTypes and /ServiceProviderConfig say what the server does', async () => {
      const types = await entra.send('GET', '/scim/v2/ResourceTypes');
      expect(types.body.Resources.map((type: { name: string }) => type.name)).toEqual(['User', 'Group']);
      const config = await entra.send('GET', '/scim/v2/ServiceProviderConfig');
      expect(config.body).toMatchObject({ patch: { supported: true }, filter: { supported: true } });
    });
  });

  describe('users', () => {
    it('POST /Users - Create a new User', async () => {
      const created = await entra.send(
        'POST',
        '/scim/v2/Users',
        fixture('entra/validator-create-user', { userName, externalId: 'ext-ross', email: 'ross@contoso.com' }),
      );
      expect(created.status).toBe(201);
      user = created.body;
      expect(user).toMatchObject({ userName, active: true, title: 'VUWEQOSPMJDH' });
      expect(user[ENTERPRISE_USER_SCHEMA]).toMatchObject({ department: 'PQMBDUSYFRKL', employeeNumber: 'EMP-1042' });
      const other = await entra.send(
        'POST',
        '/scim/v2/Users',
        fixture('entra/validator-create-user', {
          userName: 'manager@validator.contoso.com',
          externalId: 'ext-manager',
          email: 'manager@contoso.com',
        }),
      );
      expect(other.status).toBe(201);
      manager = other.body;
    });

    it('GET /Users/Id - Get user by id', async () => {
      const response = await entra.send('GET', `/scim/v2/Users/${user.id}`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual(user);
    });

    it('GET /Users?filter=userName eq - Filter for an existing user', async () => {
      const found = await userByFilter();
      expect(found).toMatchObject({ totalResults: 1, itemsPerPage: 1, startIndex: 1 });
      expect(found.Resources).toEqual([user]);
    });

    it('GET /Users?filter=userName eq - Filter for a non-existing user', async () => {
      expect(await userByFilter('nobody@validator.contoso.com')).toMatchObject({ totalResults: 0, Resources: [] });
    });

    it('GET /Users?filter=userName eq - Filter for an existing user with a different case', async () => {
      expect((await userByFilter(userName.toUpperCase())).Resources).toEqual([user]);
    });

    it('PATCH /Users/Id - Patch User - Replace Attributes (checked through a filter)', async () => {
      const response = await patchUser(
        fixture('entra/validator-patch-user-replace', { externalId: 'ext-ross-2', email: 'imelda@contoso.com' }),
      );
      expect(response.status).toBe(200);
      const [shown] = (await userByFilter()).Resources;
      expect(shown).toMatchObject({
        displayName: 'ZKRMPFYTEWQA',
        title: 'HNXWAVBQOLZE',
        preferredLanguage: 'nl-NL',
        externalId: 'ext-ross-2',
        name: { givenName: 'Imelda', familyName: 'Kuhn', formatted: 'Imelda Kuhn' },
        emails: [{ type: 'work', value: 'imelda@contoso.com', primary: true }],
        active: true,
      });
      expect(shown.addresses[0]).toMatchObject({ locality: 'Utrecht', postalCode: '3511', region: 'WA' });
      expect(shown.phoneNumbers).toEqual([
        { type: 'work', value: '8-552-104-0000', primary: true },
        { type: 'mobile', value: '8-552-104-0001' },
        { type: 'fax', value: '8-552-104-9984' },
      ]);
      expect(shown[ENTERPRISE_USER_SCHEMA]).toMatchObject({ department: 'TQXAMLWZEPRB', employeeNumber: 'EMP-2084' });
      expect(shown.meta.version).not.toBe(user.meta.version);
      user = shown;
    });

    it('PATCH /Users/Id - Patch User - Update userName', async () => {
      const renamed = 'ross.renamed@validator.contoso.com';
      const response = await patchUser({
        schemas: [PATCH_OP_SCHEMA],
        Operations: [{ op: 'replace', path: 'userName', value: renamed }],
      });
      expect(response.status).toBe(200);
      expect((await userByFilter(renamed)).Resources.map((u: { id: string }) => u.id)).toEqual([user.id]);
      expect((await userByFilter()).totalResults).toBe(0);
      const back = await patchUser({
        schemas: [PATCH_OP_SCHEMA],
        Operations: [{ op: 'replace', value: { userName } }],
      });
      expect(back.body.userName).toBe(userName);
    });

    it('PATCH /Users/Id - Patch User - Disable User (a filter still shows active, now false)', async () => {
      const response = await patchUser({
        schemas: [PATCH_OP_SCHEMA],
        Operations: [{ op: 'replace', path: 'active', value: false }],
      });
      expect(response.status).toBe(200);
      const [shown] = (await userByFilter()).Resources;
      expect(shown).toHaveProperty('active', false);
      const kinds = (await events(gateway.db, user.id)).map((event) => event.type);
      expect(kinds[kinds.length - 1]).toBe('user.deactivated');
    });

    it('PATCH /Users/Id - Patch User - Add Manager', async () => {
      const response = await patchUser({
        schemas: [PATCH_OP_SCHEMA],
        Operations: [{ op: 'add', path: `${ENTERPRISE_USER_SCHEMA}:manager`, value: manager.id }],
      });
      expect(response.status).toBe(200);
      const [shown] = (await userByFilter()).Resources;
      expect(shown[ENTERPRISE_USER_SCHEMA].manager).toMatchObject({ value: manager.id });
    });

    it('PATCH /Users/Id - Patch User - Remove Manager', async () => {
      const response = await patchUser({
        schemas: [PATCH_OP_SCHEMA],
        Operations: [{ op: 'remove', path: `${ENTERPRISE_USER_SCHEMA}:manager` }],
      });
      expect(response.status).toBe(200);
      const [shown] = (await userByFilter()).Resources;
      expect(shown[ENTERPRISE_USER_SCHEMA]).not.toHaveProperty('manager');
      expect(shown[ENTERPRISE_USER_SCHEMA].department).toBe('TQXAMLWZEPRB');
    });

    it('POST /Users - Create a duplicate User (409 uniqueness)', async () => {
      const response = await entra.send(
        'POST',
        '/scim/v2/Users',
        fixture('entra/validator-create-user', {
          userName: userName.toUpperCase(),
          externalId: 'ext-duplicate',
          email: 'dup@contoso.com',
        }),
      );
      expectScimError(response, 409, 'uniqueness');
      expect((await userByFilter()).totalResults).toBe(1);
    });
  });

  describe('groups', () => {
    it('POST /Groups - Create a new Group', async () => {
      const response = await entra.send(
        'POST',
        '/scim/v2/Groups',
        fixture('entra/validator-create-group', { externalId: 'ext-group', displayName: groupName }),
      );
      expect(response.status).toBe(201);
      group = response.body;
      expect(group).toMatchObject({ displayName: groupName, externalId: 'ext-group', schemas: [GROUP_SCHEMA] });
    });

    it('GET /Groups/Id - Get group by id excluding members', async () => {
      const response = await entra.send('GET', `/scim/v2/Groups/${group.id}?excludedAttributes=members`);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ id: group.id, displayName: groupName });
      expect(response.body).not.toHaveProperty('members');
    });

    it('GET /Groups?filter=displayName eq - Filter for an existing group', async () => {
      const found = await groupByFilter(groupName);
      expect(found.totalResults).toBe(1);
      expect(found.Resources[0]).toMatchObject({ id: group.id, displayName: groupName });
      expect(found.Resources[0]).not.toHaveProperty('members');
    });

    it('GET /Groups?filter=displayName eq - Filter for a non-existing group', async () => {
      expect(await groupByFilter('NOSUCHGROUP')).toMatchObject({ totalResults: 0, Resources: [] });
    });

    it('GET /Groups?filter=displayName eq - Filter for an existing group with a different case', async () => {
      expect((await groupByFilter(groupName.toLowerCase())).Resources[0]).toMatchObject({ id: group.id });
    });

    it('PATCH /Groups/Id - Patch Group - Replace Attributes', async () => {
      const response = await patchGroup([
        { op: 'replace', path: 'displayName', value: `${groupName}2` },
        { op: 'replace', path: 'externalId', value: 'ext-group-2' },
      ]);
      expect([200, 204]).toContain(response.status);
      const [shown] = (await groupByFilter(`${groupName}2`)).Resources;
      expect(shown).toMatchObject({ id: group.id, externalId: 'ext-group-2' });
      const back = await patchGroup([{ op: 'replace', path: 'displayName', value: groupName }]);
      expect([200, 204]).toContain(back.status);
    });

    it('PATCH /Groups/Id - Patch Group - Add Member', async () => {
      const response = await patchGroup([{ op: 'add', path: 'members', value: [{ value: user.id }] }]);
      expect([200, 204]).toContain(response.status);
      const member = await entra.send(
        'GET',
        groupsQuery({ filter: `id eq "${group.id}" and members eq "${user.id}"`, excludedAttributes: 'members' }),
      );
      expect(member.body.totalResults).toBe(1);
      const shown = await entra.send('GET', `/scim/v2/Groups/${group.id}`);
      expect(shown.body.members).toEqual([expect.objectContaining({ value: user.id })]);
    });

    it('PATCH /Groups/Id - Patch Group - Remove Member', async () => {
      const response = await patchGroup([{ op: 'remove', path: 'members', value: [{ value: user.id }] }]);
      expect([200, 204]).toContain(response.status);
      const member = await entra.send(
        'GET',
        groupsQuery({ filter: `id eq "${group.id}" and members eq "${user.id}"`, excludedAttributes: 'members' }),
      );
      expect(member.body.totalResults).toBe(0);
    });

    it('POST /Groups - Create a duplicate Group (409 uniqueness)', async () => {
      const response = await entra.send(
        'POST',
        '/scim/v2/Groups',
        fixture('entra/validator-create-group', { externalId: 'ext-group-dup', displayName: groupName }),
      );
      expectScimError(response, 409, 'uniqueness');
    });

    it('DELETE /Groups/Id - Delete Group', async () => {
      expect((await entra.send('DELETE', `/scim/v2/Groups/${group.id}`)).status).toBe(204);
      expectScimError(await entra.send('GET', `/scim/v2/Groups/${group.id}`), 404);
      expect((await groupByFilter(groupName)).totalResults).toBe(0);
    });
  });

  describe('clean-up', () => {
    it('DELETE /Users/Id - Delete User', async () => {
      expect((await entra.send('DELETE', `/scim/v2/Users/${user.id}`)).status).toBe(204);
      expectScimError(await entra.send('GET', `/scim/v2/Users/${user.id}`), 404);
      expect((await userByFilter()).totalResults).toBe(0);
      const kinds = (await events(gateway.db, user.id)).map((event) => event.type);
      expect(kinds[0]).toBe('user.created');
      expect(kinds[kinds.length - 1]).toBe('user.deleted');
    });
  });

  it('never answered with a server error', () => {
    expect(serverErrors).toEqual([]);
  });
});
