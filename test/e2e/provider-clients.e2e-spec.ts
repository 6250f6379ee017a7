import { SecretBox } from '@app/identity/secrets/secret-box';
import { createOidcApp } from '../../apps/oidc/src/create-oidc-app';
import { adminRequests } from '../support/admin-requests';
import { childEnv, distEntry, runNode } from '../support/processes';
import { TestApp, startTestApp } from '../support/test-app';

describe('product clients: /admin/v1/clients and the CLI', () => {
  let gateway: TestApp;
  let admin: ReturnType<typeof adminRequests>;

  beforeAll(async () => {
    gateway = await startTestApp(createOidcApp);
    admin = adminRequests(gateway.app, gateway.config.adminToken);
    expect((await admin.post('/admin/v1/tenants', { slug: 'acme', name: 'Acme' })).status).toBe(201);
    expect((await admin.post('/admin/v1/tenants', { slug: 'globex', name: 'Globex' })).status).toBe(201);
  });
  afterAll(() => gateway.close());

  const countClients = async () =>
    Number((await gateway.db.query<{ n: string }>(`SELECT count(*) AS n FROM product_clients`))[0].n);

  it('registers a confidential client with defaults, shows its secret once and stores it sealed', async () => {
    const created = await admin.post('/admin/v1/clients', {
      name: 'Billing',
      redirectUris: ['https://billing.example.com/callback'],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Billing',
      public: false,
      redirectUris: ['https://billing.example.com/callback'],
      postLogoutRedirectUris: [],
      backchannelLogoutUri: null,
      tenants: ['*'],
      grantTypes: ['authorization_code', 'refresh_token'],
    });
    expect(created.body.clientSecret).toMatch(/^gwcs_[A-Za-z0-9_-]{43}$/);

    const shown = await admin.get(`/admin/v1/clients/${created.body.clientId}`);
    expect(shown.status).toBe(200);
    expect(shown.body).not.toHaveProperty('clientSecret');
    expect(JSON.stringify((await admin.get('/admin/v1/clients')).body)).not.toContain(created.body.clientSecret);

    const [row] = await gateway.db.query<{ secret_sealed: Buffer }>(
      `SELECT secret_sealed FROM product_clients WHERE client_id = $1`,
      [created.body.clientId],
    );
    expect(row.secret_sealed.toString('latin1')).not.toContain(created.body.clientSecret);
    expect(new SecretBox(gateway.config.secretsKey).open(row.secret_sealed, created.body.clientId)).toBe(
      created.body.clientSecret,
    );
  });

  it('registers a public client without a secret', async () => {
    const created = await admin.post('/admin/v1/clients', {
      name: 'Mobile',
      public: true,
      redirectUris: ['http://127.0.0.1:8765/callback'],
      tenants: ['acme'],
    });
    expect(created.status).toBe(201);
    expect(created.body.public).toBe(true);
    expect(created.body).not.toHaveProperty('clientSecret');
    expect(created.body.tenants).toEqual(['acme']);
    const rotated = await admin.post(`/admin/v1/clients/${created.body.clientId}/secret`);
    expect(rotated.status).toBe(400);
    expect(rotated.body.error.message).toMatch(/public client has no secret/);
  });

  it.each([
    [{ redirectUris: ['https://x.example/cb'] }, /name/],
    [{ name: 'X' }, /redirectUris: sign-in \(authorization_code\) needs at least one redirect URI/],
    [{ name: 'X', redirectUris: ['ftp://x.example/cb'] }, /redirectUris\.0: must be an absolute http/],
    [{ name: 'X', redirectUris: ['https://x.example/cb#frag'] }, /without a #fragment/],
    [{ name: 'X', redirectUris: ['/relative'] }, /redirectUris\.0/],
    [
      { name: 'X', redirectUris: ['https://x.example/cb'], tenants: ['*', 'acme'] },
      /"\*" \(every tenant\) stands alone/,
    ],
    [{ name: 'X', redirectUris: ['https://x.example/cb'], tenants: [] }, /tenants: must name at least one tenant/],
    [{ name: 'X', redirectUris: ['https://x.example/cb'], tenants: ['Not A Slug'] }, /tenants\.0/],
    [{ name: 'X', grantTypes: ['password'] }, /grantTypes\.0: must be one of/],
    [{ name: 'X', grantTypes: ['refresh_token'] }, /refresh_token comes with authorization_code/],
    [{ name: 'X', public: true, grantTypes: ['client_credentials'] }, /public client cannot use client_credentials/],
    [{ name: 'X', redirectUris: ['https://x.example/cb'], color: 'red' }, /color/],
    [{ name: 'X', redirectUris: 'https://x.example/cb' }, /redirectUris: must be a list of URLs/],
  ])('refuses %j with a 400 that names the problem, and stores nothing', async (body, message) => {
    const before = await countClients();
    const refused = await admin.post('/admin/v1/clients', body);
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('invalid_request');
    expect(refused.body.error.message).toMatch(message);
    expect(await countClients()).toBe(before);
  });

  it('refuses an unknown tenant with a 422, and stores nothing', async () => {
    const before = await countClients();
    const refused = await admin.post('/admin/v1/clients', {
      name: 'X',
      redirectUris: ['https://x.example/cb'],
      tenants: ['acme', 'nobody'],
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toMatch(/no tenant called "nobody"/);
    expect(await countClients()).toBe(before);
  });

  it('refuses a back-channel logout URI on a private network unless ALLOW_PRIVATE_NETWORKS is set', async () => {
    const strict = await startTestApp(createOidcApp, { allowPrivateNetworks: false });
    try {
      const strictAdmin = adminRequests(strict.app, strict.config.adminToken);
      for (const uri of ['http://127.0.0.1:8080/logout', 'http://10.1.2.3/logout', 'http://[::1]/logout']) {
        const refused = await strictAdmin.post('/admin/v1/clients', {
          name: 'X',
          redirectUris: ['https://x.example/cb'],
          backchannelLogoutUri: uri,
        });
        expect(refused.status).toBe(422);
        expect(refused.body.error.message).toMatch(/backchannelLogoutUri: .*ALLOW_PRIVATE_NETWORKS/);
      }
      const created = await strictAdmin.post('/admin/v1/clients', {
        name: 'X',
        redirectUris: ['https://x.example/cb'],
      });
      const patched = await strictAdmin.patch(`/admin/v1/clients/${created.body.clientId}`, {
        backchannelLogoutUri: 'http://169.254.169.254/latest',
      });
      expect(patched.status).toBe(422);
      expect(
        (await strictAdmin.get(`/admin/v1/clients/${created.body.clientId}`)).body.backchannelLogoutUri,
      ).toBeNull();
      expect(Number((await strict.db.query<{ n: string }>(`SELECT count(*) AS n FROM product_clients`))[0].n)).toBe(1);
    } finally {
      await strict.close();
    }
    const allowed = await admin.post('/admin/v1/clients', {
      name: 'Local',
      redirectUris: ['https://x.example/cb'],
      backchannelLogoutUri: 'http://127.0.0.1:8080/logout',
    });
    expect(allowed.status).toBe(201);
  });

  it('registers a client-credentials-only client without redirect URIs', async () => {
    const created = await admin.post('/admin/v1/clients', { name: 'Reporting', grantTypes: ['client_credentials'] });
    expect(created.status).toBe(201);
    expect(created.body.redirectUris).toEqual([]);
    expect(created.body.clientSecret).toBeDefined();
  });

  it('updates, rotates the secret of and deletes a client', async () => {
    const { body: created } = await admin.post('/admin/v1/clients', {
      name: 'Support',
      redirectUris: ['https://support.example.com/cb'],
      backchannelLogoutUri: 'https://support.example.com/backchannel',
    });
    const path = `/admin/v1/clients/${created.clientId}`;

    const updated = await admin.patch(path, { name: 'Support desk', tenants: ['globex'], backchannelLogoutUri: null });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ name: 'Support desk', tenants: ['globex'], backchannelLogoutUri: null });
    expect(updated.body.redirectUris).toEqual(['https://support.example.com/cb']);

    expect((await admin.patch(path, {})).status).toBe(400);
    expect((await admin.patch(path, { public: true })).status).toBe(400);
    const emptied = await admin.patch(path, { redirectUris: [] });
    expect(emptied.status).toBe(400);
    expect(emptied.body.error.message).toMatch(/needs at least one redirect URI/);
    expect((await admin.get(path)).body.redirectUris).toEqual(['https://support.example.com/cb']);

    const rotated = await admin.post(`${path}/secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.clientId).toBe(created.clientId);
    expect(rotated.body.clientSecret).toMatch(/^gwcs_/);
    expect(rotated.body.clientSecret).not.toBe(created.clientSecret);

    expect((await admin.delete(path)).status).toBe(204);
    expect((await admin.get(path)).status).toBe(404);
    expect((await admin.delete(path)).status).toBe(404);
    expect((await admin.post(`${path}/secret`)).status).toBe(404);
  });

  it('is for the operator only', async () => {
    const anonymous = await admin.send('GET', '/admin/v1/clients', undefined, {});
    expect(anonymous.status).toBe(401);
    const wrong = await admin.send('POST', '/admin/v1/clients', { name: 'X' }, { authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
  });

  describe('the CLI', () => {
    let baseUrl: string;
    beforeAll(async () => {
      await gateway.app.listen(0, '127.0.0.1');
      baseUrl = await gateway.app.getUrl();
    });
    const cli = (...args: string[]) =>
      runNode(distEntry('cli'), args, childEnv({ PUBLIC_URL: baseUrl, ADMIN_TOKEN: gateway.config.adminToken }));

    it('creates, lists, shows, updates, rotates and deletes a client', async () => {
      const created = await cli(
        'clients',
        'create',
        'Wiki',
        '--redirect-uri',
        'https://wiki.example.com/cb',
        '--backchannel-logout-uri',
        'https://wiki.example.com/bcl',
        '--tenants',
        'acme,globex',
      );
      expect(created.code).toBe(0);
      expect(created.stdout).toMatch(/Copy it now: it is not shown again\.\n\n {4}gwcs_\S{43}\n/);
      const clientId = /\(([0-9a-f-]{36})\)/.exec(created.stdout)![1];

      const listed = await cli('clients', 'list');
      expect(listed.stdout).toMatch(/^CLIENT ID\s+NAME\s+TYPE\s+GRANTS\s+TENANTS\s+CREATED/);
      expect(listed.stdout).toMatch(
        new RegExp(`${clientId}\\s+Wiki\\s+confidential\\s+authorization_code,refresh_token\\s+acme,globex`),
      );

      const shown = JSON.parse((await cli('--json', 'clients', 'show', clientId)).stdout);
      expect(shown).toMatchObject({ clientId, backchannelLogoutUri: 'https://wiki.example.com/bcl' });

      const updated = await cli('clients', 'update', clientId, '--no-backchannel-logout', '--tenants', '*');
      expect(updated.code).toBe(0);
      expect(updated.stdout).toMatch(/back-channel logout URI\s+-/);
      expect(updated.stdout).toMatch(/tenants\s+every tenant/);

      const rotated = JSON.parse((await cli('--json', 'clients', 'rotate-secret', clientId)).stdout);
      expect(rotated.clientSecret).toMatch(/^gwcs_/);

      const badGrant = await cli('clients', 'update', clientId, '--grant-types', 'password');
      expect(badGrant.code).not.toBe(0);
      expect(badGrant.stderr).toMatch(/grantTypes\.0: must be one of/);

      expect((await cli('clients', 'delete', clientId)).code).toBe(0);
      const gone = await cli('clients', 'show', clientId);
      expect(gone.code).toBe(1);
      expect(gone.stderr).toContain(`no client with id "${clientId}"`);
    });
  });
});
