import { createOidcApp } from '../../apps/oidc/src/create-oidc-app';
import { adminRequests } from '../support/admin-requests';
import { childEnv, distEntry, runNode } from '../support/processes';
import { TestApp, startTestApp } from '../support/test-app';

/** `setup-links create|list|revoke` against a running OIDC app. */
describe('the operator CLI: setup links', () => {
  let gateway: TestApp;
  let baseUrl: string;

  beforeAll(async () => {
    gateway = await startTestApp(createOidcApp);
    await gateway.app.listen(0, '127.0.0.1');
    baseUrl = await gateway.app.getUrl();
    const created = await adminRequests(gateway.app, gateway.config.adminToken).post('/admin/v1/tenants', {
      slug: 'acme',
      name: 'Acme Corp',
    });
    expect(created.status).toBe(201);
  });
  afterAll(() => gateway.close());

  const cli = (...args: string[]) =>
    runNode(distEntry('cli'), args, childEnv({ PUBLIC_URL: baseUrl, ADMIN_TOKEN: gateway.config.adminToken }));

  it('creates a link shown once, lists it without its secret, and revokes it', async () => {
    const human = await cli('setup-links', 'create', 'acme', '--scope', 'oidc', 'scim', '--ttl-hours', '24');
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/\(oidc, scim\)/);
    expect(human.stdout).toMatch(
      /it is not shown again, and it opens the portal once\.\n\n {4}https:\/\/login\.gateway\.test\/setup\/[\w-]{43}\n/,
    );

    const json = await cli('--json', 'setup-links', 'create', 'acme', '--email', 'it@acme.example');
    expect(json.code).toBe(0);
    const created = JSON.parse(json.stdout) as { id: string; url: string; scopes: string[]; email: string };
    expect(created).toMatchObject({ scopes: ['oidc', 'scim', 'domains', 'roles', 'logs'], email: 'it@acme.example' });

    const listed = await cli('setup-links', 'list', 'acme');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^ID\s+STATUS\s+EMAIL\s+SCOPES\s+CREATED\s+EXPIRES/);
    expect(listed.stdout).toMatch(new RegExp(`${created.id}\\s+active\\s+it@acme\\.example`));
    expect(listed.stdout).not.toContain(new URL(created.url).pathname.split('/').pop());

    const revoked = await cli('setup-links', 'revoke', 'acme', created.id);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`revoked setup link ${created.id}`);
    expect((await cli('setup-links', 'list', 'acme')).stdout).toMatch(new RegExp(`${created.id}\\s+revoked`));
  });

  it.each([
    [['setup-links', 'create', 'acme', '--scope', 'admin'], 'scopes'],
    [['setup-links', 'create', 'acme', '--ttl-hours', '500'], 'ttlHours'],
    [['setup-links', 'create', 'acme', '--ttl-hours', 'soon'], 'whole number of hours'],
    [['setup-links', 'revoke', 'acme', '00000000-0000-0000-0000-000000000000'], 'no setup link'],
    [['setup-links', 'list', 'nope'], 'no tenant'],
  ])('fails with a message for %j', async (args, message) => {
    const result = await cli(...args);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(message);
  });
});
