import { GROUPS_PAGE_SQL } from '@app/identity/access/access.repository';
import { IdpClient, ScimAndAdmin, startScimAndAdmin } from '../support/scim-and-admin';

/**
 * The portal's roles step: the IdP groups pushed so far with member counts (keyset-paged by
 * name), and a dry run of group → role rules that says who would gain and lose which role,
 * changing nothing.
 */
describe('admin API: a tenant’s groups, and a preview of group-role rules', () => {
  let gw: ScimAndAdmin;
  let acme: IdpClient;
  let globex: IdpClient;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    gw = await startScimAndAdmin();
    acme = await gw.tenant('acme');
    globex = await gw.tenant('globex');
    for (const name of ['ann', 'bob', 'cy', 'dee']) ids[name] = await acme.user(`${name}@acme.example`);
    ids.engineering = await acme.group('Engineering', [ids.ann, ids.bob, ids.cy]);
    ids.admins = await acme.group('admins', [ids.bob]);
    ids.sales = await acme.group('Sales', [ids.dee]);
    ids.empty = await acme.group('Zeta (empty)');
    ids.globexEng = await globex.group('Engineering', [await globex.user('zed@globex.example')]);
  });
  afterAll(() => gw.close());

  const groups = (query = '', slug = 'acme') => gw.admin.get(`/admin/v1/tenants/${slug}/groups${query}`);
  const preview = (body: unknown, slug = 'acme') =>
    gw.admin.post(`/admin/v1/tenants/${slug}/group-roles/preview`, body);

  /** Everything a preview must leave as it was. */
  const state = async () => ({
    rules: await gw.db.query('SELECT * FROM group_role_rules ORDER BY tenant_id, position'),
    users: await gw.db.query('SELECT id, roles, rule_roles, version, updated_at FROM users ORDER BY id'),
    events: await gw.db.query('SELECT count(*) FROM outbox_events'),
  });

  describe('GET groups', () => {
    it('lists the tenant’s groups by name, case-insensitively, with member counts', async () => {
      const response = await groups();
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        data: [
          { id: ids.admins, displayName: 'admins', externalId: null, memberCount: 1 },
          { id: ids.engineering, displayName: 'Engineering', externalId: null, memberCount: 3 },
          { id: ids.sales, displayName: 'Sales', externalId: null, memberCount: 1 },
          { id: ids.empty, displayName: 'Zeta (empty)', externalId: null, memberCount: 0 },
        ],
        nextCursor: null,
      });
    });

    it('pages with a cursor, each group once, and keeps its place when a group is deleted meanwhile', async () => {
      const first = await groups('?limit=2');
      expect(first.body.data.map((g: { displayName: string }) => g.displayName)).toEqual(['admins', 'Engineering']);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const extra = await acme.group('Extra');
      expect((await acme.send('DELETE', `/scim/v2/Groups/${ids.engineering}`)).status).toBe(204);
      const second = await groups(`?limit=2&cursor=${first.body.nextCursor}`);
      expect(second.body.data.map((g: { displayName: string }) => g.displayName)).toEqual(['Extra', 'Sales']);
      const third = await groups(`?limit=2&cursor=${second.body.nextCursor}`);
      expect(third.body).toEqual({
        data: [expect.objectContaining({ displayName: 'Zeta (empty)' })],
        nextCursor: null,
      });
      // Put things back for the tests below.
      await acme.send('DELETE', `/scim/v2/Groups/${extra}`);
      ids.engineering = await acme.group('Engineering', [ids.ann, ids.bob, ids.cy]);
    });

    it('shows another tenant only its own groups', async () => {
      const response = await groups('', 'globex');
      expect(response.body.data).toEqual([
        { id: ids.globexEng, displayName: 'Engineering', externalId: null, memberCount: 1 },
      ]);
    });

    it.each([
      ['a limit of 0', '?limit=0', 'limit'],
      ['a limit above 200', '?limit=201', 'limit'],
      ['a limit that is not a number', '?limit=ten', 'limit'],
      ['a forged cursor', '?cursor=bm9wZQ', 'cursor'],
      ['a cursor of another listing', `?cursor=${Buffer.from('[1,"users","x","0"]').toString('base64url')}`, 'cursor'],
      ['an unknown parameter', '?offset=10', 'offset'],
    ])('refuses %s with 400', async (_case, query, field) => {
      const response = await groups(query);
      expect(response.status).toBe(400);
      expect(response.body.error).toEqual({ code: 'invalid_request', message: expect.stringContaining(field) });
    });

    it('answers 404 for an unknown tenant', async () => {
      expect((await groups('', 'nobody')).status).toBe(404);
    });

    it('pages through the (tenant, lower(display_name)) index, with no OFFSET and no scan', async () => {
      const [{ id: tenantId }] = await gw.db.query<{ id: string }>(`SELECT id FROM tenants WHERE slug = 'acme'`);
      expect(GROUPS_PAGE_SQL).not.toMatch(/offset/i);
      await gw.db.query('SET enable_seqscan = off');
      const rows = await gw.db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${GROUPS_PAGE_SQL}`, [
        tenantId,
        'engineering',
        51,
      ]);
      await gw.db.query('RESET enable_seqscan');
      const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
      expect(plan).toContain('groups_tenant_display_name_key');
      expect(plan).not.toContain('Seq Scan');
      expect(plan).not.toContain('Sort');
    });
  });

  describe('POST group-roles/preview', () => {
    beforeAll(async () => {
      // Rules in force: admins → admin. Dee was granted `editor` by hand.
      expect(
        (await gw.admin.put('/admin/v1/tenants/acme/group-roles', { rules: [{ group: 'Admins', roles: ['admin'] }] }))
          .status,
      ).toBe(200);
      expect((await gw.admin.put(`/admin/v1/tenants/acme/users/${ids.dee}/roles`, { roles: ['editor'] })).status).toBe(
        200,
      );
    });

    it('says who would gain and lose which role, and changes nothing', async () => {
      const before = await state();
      const response = await preview({
        rules: [
          { group: 'engineering', roles: ['editor'] },
          { group: 'Sales', roles: ['editor', 'sales'] },
        ],
      });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        summary: [
          { role: 'admin', gain: 0, lose: 1 },
          { role: 'editor', gain: 3, lose: 0 },
          { role: 'sales', gain: 1, lose: 0 },
        ],
        users: [
          { id: ids.ann, userName: 'ann@acme.example', gains: ['editor'], loses: [] },
          { id: ids.bob, userName: 'bob@acme.example', gains: ['editor'], loses: ['admin'] },
          { id: ids.cy, userName: 'cy@acme.example', gains: ['editor'], loses: [] },
          // Dee holds editor by hand already: she gains only sales.
          { id: ids.dee, userName: 'dee@acme.example', gains: ['sales'], loses: [] },
        ],
        truncated: false,
      });
      expect(await state()).toEqual(before);
    });

    it('previews the rules in force as no change at all', async () => {
      const response = await preview({ rules: [{ group: 'ADMINS', roles: ['admin'] }] });
      expect(response.body).toEqual({ summary: [], users: [], truncated: false });
    });

    it('counts groups the last sign-in claimed, as a sign-in would', async () => {
      await gw.db.query(`UPDATE users SET idp_groups = '{Contractors}' WHERE id = $1`, [ids.ann]);
      const response = await preview({
        rules: [
          { group: 'contractors', roles: ['guest'] },
          { group: 'Admins', roles: ['admin'] },
        ],
      });
      expect(response.body.users).toEqual([{ id: ids.ann, userName: 'ann@acme.example', gains: ['guest'], loses: [] }]);
      await gw.db.query(`UPDATE users SET idp_groups = '{}' WHERE id = $1`, [ids.ann]);
    });

    it('keeps tenants apart: another tenant’s rules and users play no part', async () => {
      const response = await preview({ rules: [{ group: 'Engineering', roles: ['editor'] }] }, 'globex');
      expect(response.body.users).toEqual([
        { id: expect.any(String), userName: 'zed@globex.example', gains: ['editor'], loses: [] },
      ]);
    });

    it.each([
      ['no rules field', {}, 'rules'],
      ['rules that are not a list', { rules: 'admins' }, 'rules'],
      ['a rule without roles', { rules: [{ group: 'Admins', roles: [] }] }, 'rules.0.roles'],
      ['a role with a space', { rules: [{ group: 'Admins', roles: ['super admin'] }] }, 'rules.0.roles.0'],
      ['an empty group name', { rules: [{ group: ' ', roles: ['admin'] }] }, 'rules.0.group'],
      [
        'the same group twice, however spelt',
        {
          rules: [
            { group: 'Admins', roles: ['admin'] },
            { group: 'ADMINS', roles: ['editor'] },
          ],
        },
        'rules.1.group',
      ],
      ['an unknown field', { rules: [], dryRun: true }, 'dryRun'],
    ])('refuses %s with 400, as PUT group-roles does, and changes nothing', async (_case, body, field) => {
      const before = await state();
      const response = await preview(body);
      expect(response.status).toBe(400);
      expect(response.body.error).toEqual({ code: 'invalid_request', message: expect.stringContaining(field) });
      expect((await gw.admin.put('/admin/v1/tenants/acme/group-roles', body)).status).toBe(400);
      expect(await state()).toEqual(before);
    });

    it('answers 404 for an unknown tenant and 401 without the admin token', async () => {
      expect((await preview({ rules: [] }, 'nobody')).status).toBe(404);
      const headers = { authorization: 'Bearer nope-nope-nope-nope-nope-nope' };
      const response = await gw.admin.send(
        'POST',
        '/admin/v1/tenants/acme/group-roles/preview',
        { rules: [] },
        headers,
      );
      expect(response.status).toBe(401);
      expect((await gw.admin.send('GET', '/admin/v1/tenants/acme/groups', undefined, headers)).status).toBe(401);
    });
  });
});
