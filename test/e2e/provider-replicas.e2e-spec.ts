import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { HttpBrowser } from '../support/http-browser';
import { childEnv, collect, distEntry, freePort, waitFor200 } from '../support/processes';
import { finishProductSignIn, followToProduct, registerProduct, startProductSignIn } from '../support/product-rp';
import { RoundRobinProxy, startRoundRobinProxy } from '../support/round-robin-proxy';
import { TestDatabase, createTestDatabase } from '../support/test-database';
import { TEST_REDIS_URL, redisPrefix } from '../support/test-environment';
import { TestIdp, startTestIdp } from '../support/test-idp';

/** Sends admin API requests through the proxy, as an operator would. */
function adminOver(url: string, token: string) {
  const send = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, headers: {}, body: text ? JSON.parse(text) : undefined };
  };
  return {
    post: (path: string, body?: unknown) => send('POST', path, body),
    put: (path: string, body?: unknown) => send('PUT', path, body),
  };
}

describe('two OIDC app processes behind one URL, no sticky sessions', () => {
  let db: TestDatabase;
  let idp: TestIdp;
  let proxy: RoundRobinProxy;
  const replicas: ChildProcess[] = [];
  const outputs: ReturnType<typeof collect>[] = [];
  const adminToken = `gwa_${randomBytes(24).toString('base64url')}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    idp = await startTestIdp({ accounts: [{ sub: '00u-ada', email: 'ada@acme.example', name: 'Ada Lovelace' }] });
    const proxyPort = await freePort();
    const publicUrl = `http://127.0.0.1:${proxyPort}`;
    const env = {
      DATABASE_URL: db.url,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'gw-replicas-')),
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: `${redisPrefix()}-replicas`,
      PUBLIC_URL: publicUrl,
      ADMIN_TOKEN: adminToken,
      SECRETS_KEY: randomBytes(32).toString('hex'),
      ALLOW_HTTP_ISSUERS: 'true',
      ALLOW_PRIVATE_NETWORKS: 'true',
      LOG_LEVEL: 'warn',
    };
    const ports = [await freePort(), await freePort()];
    for (const port of ports) {
      const child = spawn(process.execPath, [distEntry('oidc')], {
        env: childEnv({ ...env, OIDC_PORT: String(port) }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      replicas.push(child);
      outputs.push(collect(child));
    }
    await Promise.all(ports.map((port) => waitFor200(`http://127.0.0.1:${port}/health/ready`, 60_000)));
    proxy = await startRoundRobinProxy(ports, proxyPort);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(
      replicas.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    await proxy?.close();
    await idp?.close();
    await db?.drop();
  });

  it('signs in to two products, refreshes and reads userinfo, with each step on either replica', async () => {
    const admin = adminOver(proxy.url, adminToken);
    expect(
      (await admin.post('/admin/v1/tenants', { slug: 'acme', name: 'Acme', domains: ['acme.example'] })).status,
    ).toBe(201);
    idp.registerClient({
      client_id: 'gw-acme',
      client_secret: 'acme-secret',
      redirect_uris: [`${proxy.url}/auth/callback`],
    });
    const connected = await admin.put('/admin/v1/tenants/acme/oidc', {
      issuer: idp.issuer,
      clientId: 'gw-acme',
      clientSecret: 'acme-secret',
    });
    expect(connected.status).toBe(200);
    const wiki = await registerProduct(admin, proxy.url, {
      name: 'Wiki',
      redirectUris: ['http://127.0.0.1:9/wiki/cb'],
    });
    const billing = await registerProduct(admin, proxy.url, {
      name: 'Billing',
      redirectUris: ['http://127.0.0.1:9/billing/cb'],
    });

    const browser = new HttpBrowser();
    const start = await startProductSignIn(wiki, {
      organization: 'acme',
      scope: 'openid email offline_access',
      prompt: 'consent',
    });
    const login = await browser.open(start.url);
    expect(login.url.startsWith(idp.origin)).toBe(true);
    const done = await followToProduct(browser, await browser.submitLoginForm(login, 'ada@acme.example'), wiki);
    const tokens = await finishProductSignIn(wiki, start, done.location!);
    expect(tokens.claims()).toMatchObject({ email: 'ada@acme.example', org: 'acme' });

    const second = await startProductSignIn(billing);
    const sso = await followToProduct(browser, await browser.get(second.url), billing);
    const billingTokens = await finishProductSignIn(billing, second, sso.location!);
    expect(billingTokens.claims()!.sub).toBe(tokens.claims()!.sub);

    for (let round = 0; round < 3; round++) {
      const userinfo = await oidc.fetchUserInfo(wiki.config, tokens.access_token, tokens.claims()!.sub);
      expect(userinfo.email).toBe('ada@acme.example');
    }
    const refreshed = await oidc.refreshTokenGrant(wiki.config, tokens.refresh_token!);
    expect((await oidc.refreshTokenGrant(wiki.config, refreshed.refresh_token!)).access_token).toBeDefined();
    // A rotated-out refresh token replayed on either replica is refused (and revokes the grant).
    await expect(oidc.refreshTokenGrant(wiki.config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });

    // Both replicas took part in the provider's own steps.
    const providerSteps = proxy.requests.filter((r) => r.path.startsWith('/oidc/'));
    expect(new Set(providerSteps.map((r) => r.upstream))).toEqual(new Set([0, 1]));
    for (const output of outputs) expect(output.stderr()).not.toMatch(/error/i);
  });
});
