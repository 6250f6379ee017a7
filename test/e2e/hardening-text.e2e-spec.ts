import { createOidcApp } from '../../apps/oidc/src/create-oidc-app';
import { adminRequests } from '../support/admin-requests';
import { ScimTenant, createScimTenant, expectScimError, startScimApp } from '../support/scim-client';
import { TestApp, startTestApp } from '../support/test-app';

/**
 * JSON's `"\ud800"` parses to a lone surrogate and `"\u0000"` to NUL: neither can be
 * stored in PostgreSQL. Wherever they come (a value, an attribute name, the query,
 * the path), the answer is a 400 and nothing is stored.
 */
const LONE_SURROGATE = String.raw`x\ud800`;
const LOW_SURROGATE_FIRST = String.raw`\udc00\ud800y`;
const NUL = String.raw`a\u0000b`;

describe('strings PostgreSQL cannot hold are refused, never a 500', () => {
  describe('SCIM app', () => {
    let gateway: TestApp;
    let tenant: ScimTenant;
    let userId: string;
    let groupId: string;

    beforeAll(async () => {
      gateway = await startScimApp();
      tenant = await createScimTenant(gateway, 'acme');
      userId = (await tenant.send('POST', '/scim/v2/Users', { userName: 'alice@acme.test' })).body.id as string;
      groupId = (await tenant.send('POST', '/scim/v2/Groups', { displayName: 'Engineering' })).body.id as string;
    });
    afterAll(() => gateway.close());

    const counts = async () =>
      (
        await gateway.db.query<{ users: string; groups: string; events: string }>(
          `SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM groups) AS groups,
                  (SELECT count(*) FROM outbox_events) AS events`,
        )
      )[0];

    it.each([
      ['a lone surrogate in userName', 'POST', '/scim/v2/Users', `{"userName":"${LONE_SURROGATE}"}`],
      [
        'a reversed pair in a nested value',
        'POST',
        '/scim/v2/Users',
        `{"userName":"b","name":{"givenName":"${LOW_SURROGATE_FIRST}"}}`,
      ],
      ['a lone surrogate in an attribute name', 'POST', '/scim/v2/Users', `{"userName":"c","${LONE_SURROGATE}":"v"}`],
      [
        'a lone surrogate in an email',
        'POST',
        '/scim/v2/Users',
        `{"userName":"d","emails":[{"value":"${LONE_SURROGATE}@acme.test"}]}`,
      ],
      ['a lone surrogate in a group name', 'POST', '/scim/v2/Groups', `{"displayName":"${LONE_SURROGATE}"}`],
      ['a NUL in a group name', 'POST', '/scim/v2/Groups', `{"displayName":"${NUL}"}`],
    ])('%s (%s %s): 400 invalidValue', async (_case, method, url, payload) => {
      const before = await counts();
      const response = await tenant.send(method as 'POST', url, payload);
      expectScimError(response, 400, 'invalidValue');
      expect(await counts()).toEqual(before);
    });

    it.each([
      [
        'PUT a user',
        'PUT',
        () => `/scim/v2/Users/${userId}`,
        `{"userName":"alice@acme.test","displayName":"${LONE_SURROGATE}"}`,
      ],
      [
        'PATCH a user',
        'PATCH',
        () => `/scim/v2/Users/${userId}`,
        `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"${LONE_SURROGATE}"}]}`,
      ],
      [
        'PATCH a group',
        'PATCH',
        () => `/scim/v2/Groups/${groupId}`,
        `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"displayName":"${LONE_SURROGATE}"}}]}`,
      ],
    ])('%s with a lone surrogate: 400 invalidValue, the resource unchanged', async (_case, method, url, payload) => {
      const before = await gateway.db.query('SELECT id, version, user_name FROM users ORDER BY id');
      const beforeGroups = await gateway.db.query('SELECT id, version, display_name FROM groups ORDER BY id');
      const response = await tenant.send(method as 'PUT', url(), payload);
      expectScimError(response, 400, 'invalidValue');
      expect(await gateway.db.query('SELECT id, version, user_name FROM users ORDER BY id')).toEqual(before);
      expect(await gateway.db.query('SELECT id, version, display_name FROM groups ORDER BY id')).toEqual(beforeGroups);
    });

    it.each([
      ['a NUL in an id', '/scim/v2/Users/%00'],
      ['a NUL in attributes', '/scim/v2/Groups?attributes=%00'],
    ])('%s in the query or the path: 400 invalidValue', async (_case, url) => {
      expectScimError(await tenant.send('GET', url), 400, 'invalidValue');
    });

    it('in a filter, of a query or a search, the error is invalidFilter', async () => {
      const query = `/scim/v2/Users?filter=${encodeURIComponent('userName eq "a\u0000"')}`;
      expectScimError(await tenant.send('GET', query), 400, 'invalidFilter');
      const search = `{"filter":"userName eq \\"${LONE_SURROGATE}\\""}`;
      expectScimError(await tenant.send('POST', '/scim/v2/Users/.search', search), 400, 'invalidFilter');
    });

    it('says where the value is, never what it is', async () => {
      const response = await tenant.send(
        'POST',
        '/scim/v2/Users',
        `{"userName":"e","name":{"givenName":"${LONE_SURROGATE}"}}`,
      );
      expect(response.body.detail).toContain('name.givenName');
      expect(response.body.detail).not.toContain('\ud800');
    });

    it('still takes every well-formed character, astral ones included', async () => {
      const response = await tenant.send('POST', '/scim/v2/Users', {
        userName: 'zoë-😀@acme.test',
        name: { givenName: '名前 \ud83d\ude00' },
      });
      expect(response.status).toBe(201);
      expect(response.body.name.givenName).toBe('名前 😀');
    });
  });

  describe('admin API', () => {
    let gateway: TestApp;
    let admin: ReturnType<typeof adminRequests>;

    beforeAll(async () => {
      gateway = await startTestApp(createOidcApp);
      admin = adminRequests(gateway.app, gateway.config.adminToken);
      expect((await admin.post('/admin/v1/tenants', { slug: 'acme', name: 'Acme' })).status).toBe(201);
    });
    afterAll(() => gateway.close());

    const stored = async () =>
      (
        await gateway.db.query<{ tenants: string; subscriptions: string; names: string }>(
          `SELECT (SELECT count(*) FROM tenants) AS tenants, (SELECT count(*) FROM subscriptions) AS subscriptions,
                  (SELECT string_agg(name, ',' ORDER BY slug) FROM tenants) AS names`,
        )
      )[0];

    it.each([
      ['POST', '/admin/v1/tenants', `{"slug":"surrogate","name":"${LONE_SURROGATE}"}`],
      ['POST', '/admin/v1/tenants', `{"slug":"nul","name":"${NUL}"}`],
      ['POST', '/admin/v1/tenants', `{"slug":"domains","name":"D","domains":["${LONE_SURROGATE}.test"]}`],
      ['PATCH', '/admin/v1/tenants/acme', `{"name":"${LONE_SURROGATE}"}`],
      ['PATCH', '/admin/v1/tenants/acme', `{"name":"${NUL}"}`],
      [
        'POST',
        '/admin/v1/subscriptions',
        `{"name":"${NUL}","url":"http://127.0.0.1:9/","events":["user.*"],"tenant":"acme"}`,
      ],
      ['POST', '/admin/v1/subscriptions', `{"name":"${LONE_SURROGATE}","queue":"q","events":["user.*"]}`],
    ])('%s %s with an unfit string: 400 invalid_request, nothing stored', async (method, url, payload) => {
      const before = await stored();
      const response = await admin.send(method as 'POST', url, payload);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ error: { code: 'invalid_request', message: expect.stringContaining('U+0000') } });
      expect(await stored()).toEqual(before);
    });

    it.each([
      ['?q= with a NUL', '/admin/v1/tenants/acme/users?q=%00'],
      ['a NUL in a slug', '/admin/v1/tenants/ac%00me'],
      ['a NUL in a subscription id', '/admin/v1/subscriptions/%00'],
    ])('%s: 400 invalid_request', async (_case, url) => {
      const response = await admin.get(url);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('invalid_request');
    });
  });
});
