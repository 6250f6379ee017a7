import { PROVISIONING_SNAPSHOT_SQL } from '@app/identity/provisioning/provisioning-status.repository';
import { IdpClient, ScimAndAdmin, startScimAndAdmin } from '../support/scim-and-admin';

/**
 * The setup portal's provisioning step, polled every 2 s: the SCIM base URL, whether the
 * tenant's IdP has called yet (Okta's "Test API Credentials" is a GET /Users?filter=...),
 * and the users and groups it pushed, from real SCIM requests to the SCIM app.
 */
describe('admin API: a tenant’s provisioning status', () => {
  let gw: ScimAndAdmin;
  let acme: IdpClient;
  let globex: IdpClient;

  beforeAll(async () => {
    gw = await startScimAndAdmin();
    acme = await gw.tenant('acme');
    globex = await gw.tenant('globex');
  });
  afterAll(() => gw.close());

  const status = async (slug = 'acme') => {
    const response = await gw.admin.get(`/admin/v1/tenants/${slug}/provisioning`);
    expect(response.status).toBe(200);
    return response.body;
  };

  it('waits for the IdP: not connected, nothing pushed, the SCIM base URL to enter', async () => {
    expect(await status()).toEqual({
      scimBaseUrl: 'https://scim.gateway.test/scim/v2',
      lastRequest: null,
      connected: false,
      users: { count: 0, recent: [] },
      groups: { count: 0, recent: [] },
    });
  });

  it('turns connected when the IdP tests its credentials, and names that request', async () => {
    const probe = await acme.send('GET', `/scim/v2/Users?filter=${encodeURIComponent('userName eq "x@acme.example"')}`);
    expect(probe.status).toBe(200);
    await gw.flushRequestLog();
    const body = await status();
    expect(body.connected).toBe(true);
    expect(body.lastRequest).toEqual({
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      method: 'GET',
      path: '/scim/v2/Users',
      status: 200,
    });
    expect(Date.now() - Date.parse(body.lastRequest.at)).toBeLessThan(60_000);
    // Another tenant's IdP has not called.
    expect((await status('globex')).connected).toBe(false);
  });

  it('shows the users and groups pushed, newest first, with member counts', async () => {
    const ann = await acme.user('ann@acme.example');
    const bob = await acme.user('bob@acme.example');
    const engineering = await acme.group('Engineering', [ann, bob]);
    const sales = await acme.group('Sales', [bob]);
    await globex.user('zed@globex.example');
    await gw.flushRequestLog();
    // Apart by a second, should two of them share a millisecond.
    await gw.db.query(`UPDATE users SET created_at = created_at + interval '1 second' WHERE id = $1`, [bob]);
    await gw.db.query(`UPDATE groups SET created_at = created_at + interval '1 second' WHERE id = $1`, [sales]);

    const body = await status();
    expect(body.users).toEqual({
      count: 2,
      recent: [
        { id: bob, userName: 'bob@acme.example', active: true, createdAt: expect.any(String) },
        { id: ann, userName: 'ann@acme.example', active: true, createdAt: expect.any(String) },
      ],
    });
    expect(body.groups).toEqual({
      count: 2,
      recent: [
        { id: sales, displayName: 'Sales', memberCount: 1 },
        { id: engineering, displayName: 'Engineering', memberCount: 2 },
      ],
    });
    expect(body.lastRequest).toMatchObject({ method: 'POST', path: '/scim/v2/Groups', status: 201 });
    expect((await status('globex')).users.count).toBe(1);
  });

  it('shows the five newest users at most, and counts them all', async () => {
    for (let i = 0; i < 6; i++) await globex.user(`user${i}@globex.example`);
    await gw.db.query(
      `UPDATE users SET created_at = created_at + substring(user_name from 'user(\\d)')::int * interval '1 second'
        WHERE user_name LIKE 'user_@globex.example'`,
    );
    const body = await status('globex');
    expect(body.users.count).toBe(7);
    expect(body.users.recent.map((user: { userName: string }) => user.userName)).toEqual([
      'user5@globex.example',
      'user4@globex.example',
      'user3@globex.example',
      'user2@globex.example',
      'user1@globex.example',
    ]);
  });

  it('names a refused request too (a SCIM error the IdP should see)', async () => {
    expect((await acme.send('GET', '/scim/v2/Users/00000000-0000-0000-0000-000000000000')).status).toBe(404);
    await gw.flushRequestLog();
    expect((await status()).lastRequest).toMatchObject({ method: 'GET', status: 404 });
  });

  it('does not count a request with a wrong token as the IdP calling', async () => {
    await gw.admin.post('/admin/v1/tenants', { slug: 'initech', name: 'Initech' });
    const response = await gw.scim.inject({
      method: 'GET',
      url: '/scim/v2/Users',
      headers: { authorization: 'Bearer gws_wrong' },
    });
    expect(response.statusCode).toBe(401);
    await gw.flushRequestLog();
    expect(await status('initech')).toMatchObject({ connected: false, lastRequest: null });
  });

  it('answers 404 for an unknown tenant and 401 without the admin token', async () => {
    expect((await gw.admin.get('/admin/v1/tenants/nobody/provisioning')).status).toBe(404);
    const headers = { authorization: 'Bearer nope-nope-nope-nope-nope-nope' };
    expect((await gw.admin.send('GET', '/admin/v1/tenants/acme/provisioning', undefined, headers)).status).toBe(401);
  });

  it('reads each part through an index, never a scan of every tenant’s rows', async () => {
    const [{ id: tenantId }] = await gw.db.query<{ id: string }>(`SELECT id FROM tenants WHERE slug = 'acme'`);
    await gw.db.query('ANALYZE');
    await gw.db.query('SET enable_seqscan = off');
    const rows = await gw.db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${PROVISIONING_SNAPSHOT_SQL}`, [tenantId, 5]);
    await gw.db.query('RESET enable_seqscan');
    const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
    for (const index of [
      'scim_request_log_tenant_idx',
      'scim_tokens_tenant_idx',
      'users_tenant_created_idx',
      'groups_tenant_created_idx',
      'group_members_pkey',
    ]) {
      expect(plan).toContain(index);
    }
    expect(plan).not.toContain('Seq Scan');
  });
});
