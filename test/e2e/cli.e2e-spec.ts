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
  ])('fails with a readable message and exit code 1: %j', async (args, message) => {
    const result = await cli(...args);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: /);
    expect(result.stderr).toContain(message);
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
