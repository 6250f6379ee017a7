import { ScimTokensService } from '@app/identity';
import { createOidcApp } from '../../apps/oidc/src/create-oidc-app';
import { childEnv, distEntry, runNode } from '../support/processes';
import { TestApp, startTestApp } from '../support/test-app';
import { startTestIdp } from '../support/test-idp';

describe('the operator CLI', () => {
  let gateway: TestApp;
  let baseUrl: string;

  beforeAll(async () => {
    gateway = await startTestApp(createOidcApp);
    await gateway.app.listen(0, '127.0.0.1');
    baseUrl = await gateway.app.getUrl();
  });
  afterAll(() => gateway.close());

  const cli = (...args: string[]) =>
    runNode(distEntry('cli'), args, childEnv({ PUBLIC_URL: baseUrl, ADMIN_TOKEN: gateway.config.adminToken }));

  it('creates a tenant and prints its setup values', async () => {
    const result = await cli('tenants', 'create', 'acme', '--name', 'Acme Corp', '--domain', 'acme.com', 'acme.io');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Acme Corp (acme)');
    expect(result.stdout).toContain('acme.com, acme.io');
    expect(result.stdout).toContain('https://scim.gateway.test/scim/v2');
    expect(result.stdout).toContain('https://login.gateway.test/auth/callback');
  });

  it('issues a SCIM token that authenticates, lists it without its secret, and revokes it', async () => {
    const issued = await cli('--json', 'tokens', 'issue', 'acme');
    expect(issued.code).toBe(0);
    const { id, token } = JSON.parse(issued.stdout) as { id: string; token: string };
    expect(await gateway.app.get(ScimTokensService).authenticate(token)).toMatchObject({
      tenantSlug: 'acme',
      tokenId: id,
    });

    const human = await cli('tokens', 'issue', 'acme');
    expect(human.stdout).toMatch(/Copy it now: it is not shown again\.\n\n {4}gws_\S{43}\n/);

    const listed = await cli('tokens', 'list', 'acme');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^ID\s+PREFIX\s+STATUS\s+CREATED\s+EXPIRES\s+LAST USED/);
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).not.toContain(token);

    const revoked = await cli('tokens', 'revoke', 'acme', id);
    expect(revoked.code).toBe(0);
    expect(await gateway.app.get(ScimTokensService).authenticate(token)).toBeUndefined();
    expect((await cli('tokens', 'list', 'acme')).stdout).toMatch(new RegExp(`${id}\\s+\\S+\\s+revoked`));
  });

  it('lists, shows, updates and deletes tenants', async () => {
    await cli('tenants', 'create', 'globex', '--name', 'Globex');
    expect((await cli('tenants', 'list')).stdout).toMatch(/globex\s+Globex\s+jit/);
    const updated = await cli('tenants', 'update', 'globex', '--sign-in', 'provisioned-only');
    expect(updated.stdout).toContain('provisioned-only');
    expect((await cli('--json', 'tenants', 'show', 'globex')).stdout).toContain('"signIn": "provisioned-only"');
    expect((await cli('tenants', 'delete', 'globex')).code).toBe(0);
    expect((await cli('tenants', 'show', 'globex')).code).toBe(1);
  });

  it("lists a tenant's users, grants roles and teams, and sets group-role rules", async () => {
    const [{ id: userId }] = await gateway.db.query<{ id: string }>(
      `INSERT INTO users (tenant_id, user_name, resource, email_values)
       SELECT id, 'dana@acme.com', '{"userName": "dana@acme.com", "emails": [{"value": "dana@acme.com"}]}', '{dana@acme.com}'
         FROM tenants WHERE slug = 'acme'
       RETURNING id`,
    );
    const listed = await cli('users', 'list', 'acme');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(
      /^ID\s+USERNAME\s+EMAIL\s+ACTIVE\s+ROLES\s+EFFECTIVE ROLES\s+TEAMS\s+GROUPS\s+LAST SIGN-IN/,
    );
    expect(listed.stdout).toMatch(new RegExp(`${userId}\\s+dana@acme.com\\s+dana@acme.com\\s+yes\\s+-`));

    const granted = await cli('roles', 'set', 'acme', userId, 'admin', 'billing:read');
    expect(granted.code).toBe(0);
    expect(granted.stdout).toContain('roles            admin,billing:read');
    expect((await cli('teams', 'set', 'acme', userId, 'payments')).stdout).toContain('teams            payments');
    const json = JSON.parse((await cli('--json', 'users', 'list', 'acme', '--search', 'DANA')).stdout);
    expect(json).toEqual({
      users: [expect.objectContaining({ id: userId, roles: ['admin', 'billing:read'], teams: ['payments'] })],
      nextCursor: null,
    });
    const [event] = await gateway.db.query<{ count: string }>(
      `SELECT count(*) FROM outbox_events WHERE type = 'user.roles_changed' AND subject_id = $1`,
      [userId],
    );
    expect(Number(event.count)).toBe(2);
    expect((await cli('roles', 'set', 'acme', userId, '--none')).stdout).toContain('roles            -');

    const rules = await cli('group-roles', 'set', 'acme', 'Sales EMEA=crm:write,viewer', 'okta-admins=admin');
    expect(rules.code).toBe(0);
    expect(rules.stdout).toMatch(/^GROUP\s+ROLES\nSales EMEA\s+crm:write,viewer\nokta-admins\s+admin$/m);
    expect(JSON.parse((await cli('--json', 'group-roles', 'get', 'acme')).stdout)).toEqual({
      rules: [
        { group: 'Sales EMEA', roles: ['crm:write', 'viewer'] },
        { group: 'okta-admins', roles: ['admin'] },
      ],
    });
    expect((await cli('group-roles', 'set', 'acme', '--none')).stdout).toContain('no group-role rules');
  });

  it('connects a tenant to its IdP, and says why an issuer is refused', async () => {
    const idp = await startTestIdp();
    try {
      const secret = 'cli-client-secret-0123456789';
      const set = await cli(
        '--json',
        'oidc',
        'set',
        'acme',
        '--issuer',
        idp.issuer,
        '--client-id',
        'gateway-acme',
        '--client-secret',
        secret,
        '--scopes',
        'openid profile email groups',
        '--groups-claim',
        'groups',
        '--external-id-claim',
        'oid',
        '--allowed-return-url',
        'https://app.acme.example/home',
      );
      expect(set.code).toBe(0);
      expect(JSON.parse(set.stdout)).toMatchObject({
        issuer: idp.issuer,
        clientId: 'gateway-acme',
        scopes: ['openid', 'profile', 'email', 'groups'],
        groupsClaim: 'groups',
        externalIdClaim: 'oid',
        allowedReturnUrls: ['https://app.acme.example/home'],
      });
      expect(set.stdout).not.toContain(secret);
      const refused = await cli(
        'oidc',
        'set',
        'acme',
        '--issuer',
        idp.brokenIssuer,
        '--client-id',
        'x',
        '--client-secret',
        'y',
      );
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/discovery of .* failed/);
    } finally {
      await idp.close();
    }
  });

  it("shows and deletes a tenant's IdP connection", async () => {
    const idp = await startTestIdp();
    try {
      await cli('tenants', 'create', 'initech', '--name', 'Initech');
      const secret = 'initech-client-secret-0123456789';
      const set = await cli(
        'oidc',
        'set',
        'initech',
        '--issuer',
        idp.issuer,
        '--client-id',
        'gateway-initech',
        '--client-secret',
        secret,
        '--groups-claim',
        'groups',
      );
      expect(set.code).toBe(0);

      const shown = await cli('oidc', 'show', 'initech');
      expect(shown.code).toBe(0);
      expect(shown.stdout).toContain(`tenant initech signs in through ${idp.issuer}`);
      expect(shown.stdout).toMatch(/client id\s+gateway-initech/);
      expect(shown.stdout).toMatch(/groups claim\s+groups/);
      expect(shown.stdout).not.toContain(secret);
      const json = await cli('--json', 'oidc', 'show', 'initech');
      expect(JSON.parse(json.stdout)).toMatchObject({ issuer: idp.issuer, clientId: 'gateway-initech' });
      expect(json.stdout).not.toContain(secret);

      const refreshed = await cli('oidc', 'refresh', 'initech');
      expect(refreshed.code).toBe(0);
      expect(refreshed.stdout).toBe(`tenant initech: the discovery document of ${idp.issuer} is checked and stored\n`);

      const deleted = await cli('oidc', 'delete', 'initech');
      expect(deleted.code).toBe(0);
      expect(deleted.stdout).toContain('removed the OIDC connection of tenant initech');
      const gone = await cli('oidc', 'show', 'initech');
      expect(gone.code).toBe(1);
      expect(gone.stderr).toBe('error: tenant "initech" has no OIDC connection\n');
      expect((await cli('oidc', 'delete', 'initech')).code).toBe(1);
      const nothingToRefresh = await cli('oidc', 'refresh', 'initech');
      expect(nothingToRefresh.code).toBe(1);
      expect(nothingToRefresh.stderr).toBe('error: tenant "initech" has no OIDC connection\n');
    } finally {
      await idp.close();
    }
  });

  describe('subscriptions', () => {
    const url = 'https://billing.example.com/hooks/identity';

    it('creates a webhook, shows its secret once, and lists, shows, updates and deletes it', async () => {
      const created = await cli(
        'subscriptions',
        'create',
        'billing',
        '--url',
        url,
        '--events',
        'user.*',
        '--tenant',
        'acme',
      );
      expect(created.code).toBe(0);
      const [, id] = /^Webhook subscription (\S+) \(billing\) for tenant acme\.$/m.exec(created.stdout) ?? [];
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(created.stdout).toMatch(/Copy it now: it is not shown again\.\n\n {4}whsec_[A-Za-z0-9+/]+=*\n$/);
      const secret = /whsec_\S+/.exec(created.stdout)![0];

      const listed = await cli('subscriptions', 'list');
      expect(listed.code).toBe(0);
      expect(listed.stdout).toMatch(/^ID\s+NAME\s+KIND\s+TARGET\s+EVENTS\s+TENANT\s+ENABLED\s+CREATED/);
      expect(listed.stdout).toMatch(new RegExp(`${id}\\s+billing\\s+webhook\\s+${url}\\s+user\\.\\*\\s+acme\\s+yes`));

      const shown = await cli('subscriptions', 'show', id);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toContain(`billing (${id})`);
      expect(shown.stdout).toMatch(/url\s+https:\/\/billing\.example\.com\/hooks\/identity/);
      const json = await cli('--json', 'subscriptions', 'show', id);
      expect(JSON.parse(json.stdout)).toMatchObject({ id, kind: 'webhook', url, events: ['user.*'], tenant: 'acme' });
      for (const output of [
        listed.stdout,
        shown.stdout,
        json.stdout,
        (await cli('--json', 'subscriptions', 'list')).stdout,
      ]) {
        expect(output).not.toContain(secret);
        expect(output).not.toContain('whsec_');
      }

      const updated = await cli(
        'subscriptions',
        'update',
        id,
        '--name',
        'billing v2',
        '--events',
        'user.created,group.*',
        '--all-tenants',
        '--disable',
      );
      expect(updated.code).toBe(0);
      expect(updated.stdout).toContain(`billing v2 (${id})`);
      expect(updated.stdout).toMatch(/events\s+user\.created, group\.\*/);
      expect(updated.stdout).toMatch(/tenant\s+every tenant/);
      expect(updated.stdout).toMatch(/enabled\s+no/);
      const enabled = await cli('--json', 'subscriptions', 'update', id, '--enable', '--tenant', 'acme');
      expect(JSON.parse(enabled.stdout)).toMatchObject({ enabled: true, tenant: 'acme', name: 'billing v2' });

      const deliveries = await cli('subscriptions', 'deliveries', id, '--status', 'failed');
      expect(deliveries.code).toBe(0);
      expect(deliveries.stdout).toMatch(
        /^ID\s+EVENT\s+SUBJECT\s+SEQ\s+STATUS\s+ATTEMPTS\s+LAST RESPONSE\s+LATENCY\s+CREATED$/m,
      );
      expect(JSON.parse((await cli('--json', 'subscriptions', 'deliveries', id)).stdout)).toEqual({
        deliveries: expect.any(Array),
        nextCursor: null,
      });

      const unknown = '00000000-0000-4000-8000-000000000000';
      const retried = await cli('subscriptions', 'retry', id, unknown);
      expect(retried.code).toBe(1);
      expect(retried.stderr).toBe(`error: no delivery with id "${unknown}" in subscription "${id}"\n`);

      const deleted = await cli('subscriptions', 'delete', id);
      expect(deleted.code).toBe(0);
      expect(deleted.stdout).toContain(`deleted subscription ${id}`);
      const gone = await cli('subscriptions', 'show', id);
      expect(gone.code).toBe(1);
      expect(gone.stderr).toContain(`no subscription with id "${id}"`);
    });

    it('creates a queue subscription, which has no secret', async () => {
      const created = await cli(
        '--json',
        'subscriptions',
        'create',
        'sessions',
        '--queue',
        'identity-sessions',
        '--events',
        'user.deactivated',
        'user.deleted',
      );
      expect(created.code).toBe(0);
      const body = JSON.parse(created.stdout) as { id: string; secret?: string };
      expect(body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/) });

      const human = await cli('subscriptions', 'create', 'audit', '--queue', 'identity-audit', '--events', '*');
      expect(human.code).toBe(0);
      expect(human.stdout).toMatch(/^Queue subscription \S+ \(audit\) for every tenant\.\n$/);

      const shown = await cli('subscriptions', 'show', body.id);
      expect(shown.stdout).toMatch(
        /kind\s+queue\n\s+queue\s+identity-sessions\n\s+events\s+user\.deactivated, user\.deleted/,
      );
      expect(shown.stdout).toMatch(/tenant\s+every tenant/);
      expect((await cli('subscriptions', 'list')).stdout).toMatch(
        new RegExp(
          `${body.id}\\s+sessions\\s+queue\\s+identity-sessions\\s+user\\.deactivated,user\\.deleted\\s+\\*\\s+yes`,
        ),
      );
    });
  });

  it.each([
    [['tenants', 'create', 'Bad Slug', '--name', 'x'], 'slug'],
    [['tenants', 'create', 'acme', '--name', 'again'], 'already exists'],
    [['tokens', 'issue', 'nobody'], 'no tenant'],
    [['tokens', 'issue', 'acme', '--expires-at', 'yesterday'], 'expiresAt'],
    [['tokens', 'revoke', 'acme', '00000000-0000-0000-0000-000000000000'], 'no SCIM token'],
    [['roles', 'set', 'acme', '00000000-0000-0000-0000-000000000000', 'admin'], 'no user with id'],
    [['roles', 'set', 'acme', '00000000-0000-0000-0000-000000000000', 'super user'], 'roles.0'],
    [['roles', 'set', 'acme', '00000000-0000-0000-0000-000000000000'], 'give at least one of the roles, or --none'],
    [['teams', 'set', 'nobody', '00000000-0000-0000-0000-000000000000', 'core'], 'no tenant'],
    [['group-roles', 'set', 'acme', 'Admins=admin', 'admins=viewer'], 'repeats the group'],
    [['group-roles', 'set', 'acme', 'no-roles-here'], 'is not <group>=<role>'],
    [['users', 'list', 'acme', '--limit', '0'], 'limit'],
    [['oidc', 'set', 'acme', '--client-id', 'x', '--client-secret', 'y'], '--issuer'],
    [['oidc', 'show', 'nobody'], 'no tenant'],
    [['subscriptions', 'create', 'x', '--events', 'user.*'], 'give either --url (a webhook) or --queue'],
    [['subscriptions', 'create', 'x', '--url', 'https://a.example', '--queue', 'q', '--events', 'user.*'], 'not both'],
    [['subscriptions', 'create', 'x', '--url', 'https://a.example', '--events', 'user.exploded'], 'events.0'],
    [['subscriptions', 'create', 'x', '--url', 'ftp://a.example', '--events', 'user.*'], 'url'],
    [['subscriptions', 'create', 'x', '--url', 'https://a.example'], '--events'],
    [['subscriptions', 'create', 'x', '--queue', 'q', '--events', '*', '--tenant', 'nobody'], 'no tenant'],
    [['subscriptions', 'show', '00000000-0000-4000-8000-000000000000'], 'no subscription with id'],
    [['subscriptions', 'update', '00000000-0000-4000-8000-000000000000', '--enable', '--disable'], 'cannot be used'],
    [['subscriptions', 'update', '00000000-0000-4000-8000-000000000000'], 'nothing to change'],
    [['subscriptions', 'deliveries', '00000000-0000-4000-8000-000000000000', '--status', 'lost'], 'Allowed choices'],
  ])('fails with a readable message and exit code 1: %j', async (args, message) => {
    const result = await cli(...args);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: /);
    expect(result.stderr).toContain(message);
  });

  it('takes --json after the command too', async () => {
    const result = await cli('tenants', 'show', 'acme', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ slug: 'acme' });
  });

  it('fails on a wrong admin token', async () => {
    const result = await runNode(
      distEntry('cli'),
      ['tenants', 'list'],
      childEnv({ PUBLIC_URL: baseUrl, ADMIN_TOKEN: 'x'.repeat(30) }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('invalid admin token');
  });

  it('fails with exit code 2 when the gateway cannot be reached', async () => {
    const result = await runNode(
      distEntry('cli'),
      ['tenants', 'list'],
      childEnv({ PUBLIC_URL: 'http://127.0.0.1:1', ADMIN_TOKEN: 'x'.repeat(30) }),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot reach the admin API');
  });

  it('rejects an unknown command with usage help', async () => {
    const result = await cli('tenants', 'frobnicate');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('Usage');
  });
});
