import { AccessService, IdentityError } from '@app/identity';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { createOidcApp } from '../../apps/oidc/src/create-oidc-app';
import { createScimApp } from '../../apps/scim/src/create-scim-app';
import { adminRequests } from '../support/admin-requests';
import { ScimTenant, UUID, USER_SCHEMA, createScimTenant, eventCount, events } from '../support/scim-client';
import { createGroup } from '../support/scim-groups-client';
import { TestDatabase, createTestDatabase } from '../support/test-database';
import { testConfig } from '../support/test-config';

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/**
 * Roles, teams and group-role rules through the admin API, on users an IdP
 * provisioned through SCIM, and the access a sign-in derives from them.
 */
describe('admin API: roles, teams and group-role rules', () => {
  let db: TestDatabase;
  let scim: NestFastifyApplication;
  let oidc: NestFastifyApplication;
  let admin: ReturnType<typeof adminRequests>;
  let acme: ScimTenant;
  let globex: ScimTenant;
  let alice: string;
  let bob: string;
  let carol: string;
  let gina: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = testConfig(db.url);
    [scim, oidc] = await Promise.all([createScimApp(config), createOidcApp(config)]);
    await Promise.all([scim.init(), oidc.init()]);
    admin = adminRequests(oidc, config.adminToken);
    const gateway = { app: scim, config, db, close: () => Promise.resolve() };
    acme = await createScimTenant(gateway, 'acme');
    globex = await createScimTenant(gateway, 'globex');
    alice = await provision(acme, 'alice@acme.test', {
      name: { givenName: 'Alice', familyName: 'Liddell' },
      emails: [
        { value: 'alice.l@home.test', type: 'home' },
        { value: 'Alice@Acme.test', type: 'work', primary: true },
      ],
      externalId: 'okta-alice',
    });
    bob = await provision(acme, 'bob@acme.test', { displayName: 'Bob B', emails: [{ value: 'robert@acme.test' }] });
    carol = await provision(acme, 'carol@acme.test', { active: false });
    gina = await provision(globex, 'gina@globex.test', {});
    await createGroup(acme, { displayName: 'Engineering', members: [{ value: alice }, { value: bob }] });
    await createGroup(acme, { displayName: 'Finance', members: [{ value: alice }] });
  });
  afterAll(async () => {
    await Promise.all([scim.close(), oidc.close()]);
    await db.drop();
  });

  async function provision(tenant: ScimTenant, userName: string, extra: Record<string, unknown>): Promise<string> {
    const response = await tenant.send('POST', '/scim/v2/Users', { schemas: [USER_SCHEMA], userName, ...extra });
    if (response.status !== 201) throw new Error(`provisioning ${userName}: ${JSON.stringify(response.body)}`);
    return response.body.id as string;
  }

  const usersUrl = (slug = 'acme') => `/admin/v1/tenants/${slug}/users`;
  const rolesChanged = async (userId: string) =>
    (await events(db, userId)).filter((event) => event.type === 'user.roles_changed');

  /** What a refused request must leave as it was: every user's grants, the rules, and the outbox. */
  const state = async () => ({
    users: await db.query('SELECT id, roles, teams, idp_groups, rule_roles, last_sign_in_at FROM users ORDER BY id'),
    rules: await db.query('SELECT * FROM group_role_rules ORDER BY tenant_id, position'),
    events: await eventCount(db),
  });

  describe('listing users', () => {
    it('shows each user with their grants, SCIM groups and profile', async () => {
      const response = await admin.get(usersUrl());
      expect(response.status).toBe(200);
      expect(response.body.nextCursor).toBeNull();
      expect(response.body.users.map((user: { userName: string }) => user.userName)).toEqual([
        'alice@acme.test',
        'bob@acme.test',
        'carol@acme.test',
      ]);
      expect(response.body.users[0]).toEqual({
        id: alice,
        userName: 'alice@acme.test',
        externalId: 'okta-alice',
        active: true,
        email: 'Alice@Acme.test',
        name: 'Alice Liddell',
        roles: [],
        effectiveRoles: [],
        teams: [],
        groups: ['Engineering', 'Finance'],
        lastSignInAt: null,
      });
      expect(response.body.users[1]).toMatchObject({
        name: 'Bob B',
        email: 'robert@acme.test',
        groups: ['Engineering'],
      });
      expect(response.body.users[2]).toMatchObject({ active: false, email: null, name: null, groups: [] });
    });

    it('pages with a cursor, without overlap or gaps', async () => {
      const first = await admin.get(`${usersUrl()}?limit=2`);
      expect(first.status).toBe(200);
      expect(first.body.users.map((user: { id: string }) => user.id)).toEqual([alice, bob]);
      expect(first.body.nextCursor).toBe(bob);
      const second = await admin.get(`${usersUrl()}?limit=2&cursor=${first.body.nextCursor}`);
      expect(second.body).toEqual({ users: [expect.objectContaining({ id: carol })], nextCursor: null });
    });

    it.each([
      ['a userName prefix', 'ALICE', ['alice@acme.test']],
      ['an email prefix', 'robert', ['bob@acme.test']],
      ['a prefix of several', 'a', ['alice@acme.test']],
      ['the domain part (not a prefix)', 'acme.test', []],
      ['LIKE metacharacters, literally', '%', []],
      ['LIKE metacharacters, literally', '_ob', []],
    ])('searches by %s: q=%s', async (_case, q, expected) => {
      const response = await admin.get(`${usersUrl()}?q=${encodeURIComponent(q)}`);
      expect(response.status).toBe(200);
      expect(response.body.users.map((user: { userName: string }) => user.userName)).toEqual(expected);
    });

    it("shows only the tenant's own users", async () => {
      const response = await admin.get(usersUrl('globex'));
      expect(response.body.users.map((user: { id: string }) => user.id)).toEqual([gina]);
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=1000', 'limit'],
      ['limit=two', 'limit'],
      ['cursor=not-a-cursor', 'cursor'],
      ['sort=userName', 'sort'],
    ])('refuses ?%s', async (query, field) => {
      const response = await admin.get(`${usersUrl()}?${query}`);
      expect(response.status).toBe(400);
      expect(response.body.error).toEqual({ code: 'invalid_request', message: expect.stringContaining(field) });
    });

    it('answers 404 for an unknown tenant and 401 without the admin token', async () => {
      expect((await admin.get(usersUrl('nobody'))).body).toEqual({
        error: { code: 'not_found', message: 'no tenant with slug "nobody"' },
      });
      expect((await admin.send('GET', usersUrl(), undefined, {})).status).toBe(401);
    });
  });

  describe('granting roles and teams', () => {
    it('sets roles, and records user.roles_changed once, in the same transaction', async () => {
      const response = await admin.put(`${usersUrl()}/${bob}/roles`, { roles: [' billing ', 'admin', 'billing'] });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        id: bob,
        roles: ['billing', 'admin'],
        effectiveRoles: ['billing', 'admin'],
      });
      const recorded = await rolesChanged(bob);
      expect(recorded).toEqual([
        {
          id: expect.stringMatching(UUID),
          type: 'user.roles_changed',
          occurredAt: expect.stringMatching(TIMESTAMP),
          tenant: { id: acme.id, slug: 'acme' },
          subject: { type: 'user', id: bob },
          sequence: expect.any(Number),
          data: {
            id: bob,
            userName: 'bob@acme.test',
            roles: ['billing', 'admin'],
            effectiveRoles: ['billing', 'admin'],
            teams: [],
          },
        },
      ]);
      const [row] = await db.query<{ roles: string[] }>('SELECT roles FROM users WHERE id = $1', [bob]);
      expect(row.roles).toEqual(['billing', 'admin']);
    });

    it('records nothing when a PUT changes nothing, in whatever order it names the roles', async () => {
      const before = await state();
      const response = await admin.put(`${usersUrl()}/${bob}/roles`, { roles: ['admin', 'billing'] });
      expect(response.status).toBe(200);
      expect(response.body.roles).toEqual(['billing', 'admin']);
      expect(await state()).toEqual(before);
    });

    it('sets teams, which also records user.roles_changed', async () => {
      const response = await admin.put(`${usersUrl()}/${bob}/teams`, { teams: ['payments', 'eu:platform'] });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ roles: ['billing', 'admin'], teams: ['payments', 'eu:platform'] });
      const recorded = await rolesChanged(bob);
      expect(recorded).toHaveLength(2);
      expect(recorded[1].data).toEqual({
        id: bob,
        userName: 'bob@acme.test',
        roles: ['billing', 'admin'],
        effectiveRoles: ['billing', 'admin'],
        teams: ['payments', 'eu:platform'],
      });
      expect(recorded[1].sequence).toBeGreaterThan(recorded[0].sequence);
      const before = await state();
      expect((await admin.put(`${usersUrl()}/${bob}/teams`, { teams: ['eu:platform', 'payments'] })).status).toBe(200);
      expect(await state()).toEqual(before);
    });

    it('clears roles with an empty list', async () => {
      await admin.put(`${usersUrl()}/${carol}/roles`, { roles: ['viewer'] });
      const response = await admin.put(`${usersUrl()}/${carol}/roles`, { roles: [] });
      expect(response.body.roles).toEqual([]);
      expect((await rolesChanged(carol)).map((event) => event.data['roles'])).toEqual([['viewer'], []]);
    });

    it("answers 404 for another tenant's user, and changes nothing", async () => {
      const before = await state();
      for (const path of ['roles', 'teams']) {
        const response = await admin.put(`${usersUrl('acme')}/${gina}/${path}`, { [path]: ['admin'] });
        expect(response.status).toBe(404);
        expect(response.body.error).toEqual({
          code: 'not_found',
          message: `no user with id "${gina}" in tenant "acme"`,
        });
      }
      expect(await state()).toEqual(before);
      expect((await admin.put(`${usersUrl('globex')}/${gina}/roles`, { roles: ['admin'] })).status).toBe(200);
    });

    const tooMany = Array.from({ length: 101 }, (_, n) => `role-${n}`);
    it.each([
      ['a body that is not an object', 'roles', '"admin"', 400, 'expected object'],
      ['roles that are not a list', 'roles', { roles: 'admin' }, 400, 'roles: must be a list of role names'],
      ['no roles at all', 'roles', {}, 400, 'roles'],
      ['a role that is not a string', 'roles', { roles: [7] }, 400, 'roles.0: must be a string'],
      ['an empty role', 'roles', { roles: ['admin', ' '] }, 400, 'roles.1: must not be empty'],
      ['a role with a space', 'roles', { roles: ['super user'] }, 400, 'roles.0: must start with a letter or digit'],
      ['a role with markup', 'roles', { roles: ['<b>'] }, 400, 'roles.0: must start with a letter or digit'],
      ['a role too long', 'roles', { roles: ['r'.repeat(101)] }, 400, 'roles.0: must be at most 100 characters'],
      ['too many roles', 'roles', { roles: tooMany }, 400, 'roles: at most 100 roles'],
      ['an unknown field', 'roles', { roles: [], teams: [] }, 400, 'teams'],
      ['teams that are not a list', 'teams', { teams: { core: true } }, 400, 'teams: must be a list of team names'],
      ['roles sent to the teams route', 'teams', { roles: ['admin'] }, 400, 'teams'],
    ])('refuses %s, and changes nothing', async (_case, path, body, status, message) => {
      const before = await state();
      const response = await admin.put(`${usersUrl()}/${alice}/${path}`, body);
      expect(response.status).toBe(status);
      expect(response.body.error).toEqual({ code: 'invalid_request', message: expect.stringContaining(message) });
      expect(await state()).toEqual(before);
    });

    it.each([
      ['an unknown user', `${usersUrl()}/00000000-0000-4000-8000-000000000000/roles`, 'no user with id'],
      ['a user id that is not a UUID', `${usersUrl()}/alice@acme.test/roles`, 'no user with id'],
      ['an unknown tenant', `${usersUrl('nobody')}/${alice}/roles`, 'no tenant with slug "nobody"'],
    ])('answers 404 for %s, and changes nothing', async (_case, url, message) => {
      const before = await state();
      const response = await admin.put(url, { roles: ['admin'] });
      expect(response.status).toBe(404);
      expect(response.body.error).toEqual({ code: 'not_found', message: expect.stringContaining(message) });
      expect(await state()).toEqual(before);
    });
  });

  describe('group-role rules', () => {
    const rulesUrl = (slug = 'acme') => `/admin/v1/tenants/${slug}/group-roles`;

    it('starts empty, then replaces all rules at once', async () => {
      expect((await admin.get(rulesUrl())).body).toEqual({ rules: [] });
      const first = await admin.put(rulesUrl(), {
        rules: [
          { group: 'Old', roles: ['legacy'] },
          { group: 'Engineering', roles: ['viewer'] },
        ],
      });
      expect(first.status).toBe(200);
      const rules = [
        { group: 'okta-admins', roles: ['admin', 'viewer'] },
        { group: 'Engineering', roles: ['developer', 'viewer'] },
        { group: 'Sales EMEA', roles: ['crm:write'] },
      ];
      const events = await eventCount(db);
      const response = await admin.put(rulesUrl(), { rules });
      expect(response).toMatchObject({ status: 200, body: { rules } });
      expect((await admin.get(rulesUrl())).body).toEqual({ rules });
      expect((await admin.get(rulesUrl('globex'))).body).toEqual({ rules: [] });
      // Rules apply at each user's next sign-in: a change of rules alone records no event.
      expect(await eventCount(db)).toBe(events);
    });

    it.each([
      [
        'one group twice, spelt differently',
        {
          rules: [
            { group: 'Admins', roles: ['admin'] },
            { group: 'admins', roles: ['viewer'] },
          ],
        },
        'rules.1.group: "admins" repeats the group of rule 0',
      ],
      ['rules that are not a list', { rules: { Admins: ['admin'] } }, 'rules: must be a list of {group, roles}'],
      [
        'a rule without roles',
        { rules: [{ group: 'Admins', roles: [] }] },
        'rules.0.roles: must name at least one role',
      ],
      ['a bad role name', { rules: [{ group: 'Admins', roles: ['a b'] }] }, 'rules.0.roles.0'],
      ['an empty group name', { rules: [{ group: '', roles: ['admin'] }] }, 'rules.0.group: must not be empty'],
      ['no rules field', {}, 'rules'],
    ])('refuses %s, and keeps the rules it had', async (_case, body, message) => {
      const before = await state();
      const response = await admin.put(rulesUrl(), body);
      expect(response.status).toBe(400);
      expect(response.body.error).toEqual({ code: 'invalid_request', message: expect.stringContaining(message) });
      expect(await state()).toEqual(before);
    });

    it('answers 404 for an unknown tenant', async () => {
      expect((await admin.put(rulesUrl('nobody'), { rules: [] })).status).toBe(404);
      expect((await admin.get(rulesUrl('nobody'))).status).toBe(404);
    });
  });

  describe('a sign-in', () => {
    let access: AccessService;
    let dataSource: DataSource;
    const acmeRef = () => ({ id: acme.id, slug: 'acme' });

    beforeAll(async () => {
      access = oidc.get(AccessService);
      dataSource = oidc.get(DataSource);
      await admin.put('/admin/v1/tenants/acme/group-roles', {
        rules: [
          { group: 'okta-admins', roles: ['admin', 'viewer'] },
          { group: 'Engineering', roles: ['developer', 'viewer'] },
          { group: 'Sales EMEA', roles: ['crm:write'] },
        ],
      });
      await admin.put(`${usersUrl()}/${alice}/roles`, { roles: ['auditor'] });
      await admin.put(`${usersUrl()}/${alice}/teams`, { teams: ['core'] });
    });

    it('derives roles from the groups claim and the SCIM groups, and records the change once', async () => {
      const eventsBefore = (await rolesChanged(alice)).length;
      const result = await dataSource.transaction((em) =>
        access.applySignIn(em, acmeRef(), alice, ['OKTA-ADMINS', 'Everyone', 'okta-admins']),
      );
      // Granted first; then the rules in their order: okta-admins (claim), Engineering (SCIM).
      expect(result).toEqual({
        roles: ['auditor', 'admin', 'viewer', 'developer'],
        teams: ['core'],
        groups: ['OKTA-ADMINS', 'Everyone', 'Engineering', 'Finance'],
      });
      const [row] = await db.query<{ idp_groups: string[]; rule_roles: string[]; last_sign_in_at: Date | null }>(
        'SELECT idp_groups, rule_roles, last_sign_in_at FROM users WHERE id = $1',
        [alice],
      );
      expect(row).toEqual({
        idp_groups: ['OKTA-ADMINS', 'Everyone'],
        rule_roles: ['admin', 'viewer', 'developer'],
        last_sign_in_at: expect.any(Date),
      });
      const recorded = await rolesChanged(alice);
      expect(recorded).toHaveLength(eventsBefore + 1);
      expect(recorded[recorded.length - 1].data).toEqual({
        id: alice,
        userName: 'alice@acme.test',
        roles: ['auditor'],
        effectiveRoles: ['auditor', 'admin', 'viewer', 'developer'],
        teams: ['core'],
      });
      expect(await access.accessOf(acme.id, alice)).toEqual(result);

      const listed = (await admin.get(`${usersUrl()}?q=alice`)).body.users[0];
      expect(listed).toMatchObject({
        roles: ['auditor'],
        effectiveRoles: ['auditor', 'admin', 'viewer', 'developer'],
        groups: ['Engineering', 'Finance'],
        lastSignInAt: expect.stringMatching(TIMESTAMP),
      });
    });

    it('records nothing when the effective roles stay the same, but still stamps the sign-in', async () => {
      const [{ last_sign_in_at: before }] = await db.query<{ last_sign_in_at: Date }>(
        'SELECT last_sign_in_at FROM users WHERE id = $1',
        [alice],
      );
      const events = await eventCount(db);
      await dataSource.transaction((em) => access.applySignIn(em, acmeRef(), alice, ['okta-admins']));
      expect(await eventCount(db)).toBe(events);
      const [{ last_sign_in_at: after }] = await db.query<{ last_sign_in_at: Date }>(
        'SELECT last_sign_in_at FROM users WHERE id = $1',
        [alice],
      );
      expect(after.getTime()).toBeGreaterThan(before.getTime());
    });

    it('drops roles whose group the claim no longer names, keeping those of SCIM groups', async () => {
      const result = await dataSource.transaction((em) => access.applySignIn(em, acmeRef(), alice, []));
      expect(result.roles).toEqual(['auditor', 'developer', 'viewer']);
      const recorded = await rolesChanged(alice);
      expect(recorded[recorded.length - 1].data['effectiveRoles']).toEqual(['auditor', 'developer', 'viewer']);
    });

    it('derives roles for a user in no SCIM group from the claim alone', async () => {
      const result = await dataSource.transaction((em) => access.applySignIn(em, acmeRef(), carol, ['sales emea']));
      expect(result).toEqual({ roles: ['crm:write'], teams: [], groups: ['sales emea'] });
    });

    it('leaves no trace when the sign-in transaction rolls back', async () => {
      const before = await state();
      await expect(
        dataSource.transaction(async (em) => {
          await access.applySignIn(em, acmeRef(), bob, ['okta-admins']);
          throw new Error('the session could not be stored');
        }),
      ).rejects.toThrow('the session could not be stored');
      expect(await state()).toEqual(before);
    });

    it("refuses another tenant's user", async () => {
      const before = await state();
      await expect(
        dataSource.transaction((em) => access.applySignIn(em, acmeRef(), gina, ['okta-admins'])),
      ).rejects.toBeInstanceOf(IdentityError);
      await expect(access.accessOf(acme.id, gina)).rejects.toMatchObject({ code: 'not_found' });
      expect(await state()).toEqual(before);
    });
  });
});
