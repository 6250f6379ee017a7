import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ResolvedConfig } from '@app/platform';
import { createOidcApp } from '../../apps/oidc/src/create-oidc-app';
import { createScimApp } from '../../apps/scim/src/create-scim-app';
import { createWorkerApp } from '../../apps/worker/src/create-worker-app';
import { adminRequests } from './admin-requests';
import { HttpBrowser, type BrowserResponse } from './http-browser';
import { ScimTenant, createScimTenant } from './scim-client';
import { testConfig } from './test-config';
import { TestDatabase, createTestDatabase } from './test-database';
import { TestIdp, TestIdpAccount, startTestIdp } from './test-idp';
import { freePort } from './processes';

/** A tenant wired to the test IdP: its SCIM client and the OIDC client registered at the IdP. */
export interface SignInTenant extends ScimTenant {
  readonly clientId: string;
  readonly clientSecret: string;
}

/**
 * The gateway as a browser meets it: the OIDC app listening on a loopback port
 * (PUBLIC_URL points there, so the IdP redirects back to it), the SCIM app and
 * the worker on the same database and Redis, and an oidc-provider as the
 * tenants' Okta.
 */
export interface SignInGateway {
  readonly db: TestDatabase;
  readonly config: ResolvedConfig;
  readonly publicUrl: string;
  readonly oidc: NestFastifyApplication;
  readonly scim: NestFastifyApplication;
  /** The fan-out worker (not listening; its routes answer through `inject`). */
  readonly worker: NestFastifyApplication;
  readonly idp: TestIdp;
  readonly admin: ReturnType<typeof adminRequests>;
  /** Creates a tenant with a SCIM token and an OIDC connection to the test IdP. */
  tenant(slug: string, options?: TenantOptions): Promise<SignInTenant>;
  /** Signs in through the IdP's login form and follows the redirects back; the last response. */
  signIn(browser: HttpBrowser, loginUrl: string, login: string): Promise<BrowserResponse>;
  close(): Promise<void>;
}

export interface TenantOptions {
  readonly signIn?: 'jit' | 'provisioned-only';
  readonly domains?: string[];
  readonly connection?: Record<string, unknown>;
}

export async function startSignInGateway(
  options: { accounts?: TestIdpAccount[]; idpPath?: string; config?: Partial<ResolvedConfig> } = {},
): Promise<SignInGateway> {
  const idp = await startTestIdp({ path: options.idpPath, accounts: options.accounts ?? [] });
  const db = await createTestDatabase();
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const config = testConfig(db.url, { ...options.config, publicUrl, ports: { scim: 0, oidc: port, worker: 0 } });
  const start = async (create: (c: ResolvedConfig) => Promise<NestFastifyApplication>) => {
    const app = await create(config);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    return app;
  };
  const oidc = await start(createOidcApp);
  await oidc.listen(port, '127.0.0.1');
  const scim = await start(createScimApp);
  const worker = await start(createWorkerApp);
  const admin = adminRequests(oidc, config.adminToken);
  let clients = 0;

  return {
    db,
    config,
    publicUrl,
    oidc,
    scim,
    worker,
    idp,
    admin,
    async tenant(slug, tenantOptions = {}) {
      const scimTenant = await createScimTenant({ app: scim, config, db, close: () => Promise.resolve() }, slug);
      const patched = await admin.patch(`/admin/v1/tenants/${slug}`, {
        signIn: tenantOptions.signIn ?? 'jit',
        domains: tenantOptions.domains ?? [`${slug}.example`],
      });
      if (patched.status !== 200) throw new Error(`tenant ${slug}: ${JSON.stringify(patched.body)}`);
      const clientId = `gateway-${slug}-${++clients}`;
      const clientSecret = `secret-${slug}-${clients}-${Math.random().toString(36).slice(2)}`;
      idp.registerClient({
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [`${publicUrl}/auth/callback`],
        post_logout_redirect_uris: [`${publicUrl}/auth/logged-out/${slug}`],
      });
      const connected = await admin.put(`/admin/v1/tenants/${slug}/oidc`, {
        issuer: idp.issuer,
        clientId,
        clientSecret,
        scopes: ['openid', 'profile', 'email', 'groups'],
        groupsClaim: 'groups',
        allowedReturnUrls: [`https://app.${slug}.example/home`, `https://app.${slug}.example/settings`],
        ...tenantOptions.connection,
      });
      if (connected.status !== 200) throw new Error(`connection ${slug}: ${JSON.stringify(connected.body)}`);
      return { ...scimTenant, clientId, clientSecret };
    },
    async signIn(browser, loginUrl, login) {
      const loginPage = await browser.open(loginUrl);
      if (loginPage.status !== 200 || !loginPage.body.includes('name="login"')) {
        throw new Error(`no login form at the IdP: ${loginPage.status} ${loginPage.body.slice(0, 300)}`);
      }
      // Stop before leaving the gateway for a return_to page that does not exist.
      return browser.follow(await browser.submitLoginForm(loginPage, login), {
        stopAt: (url) => url.origin !== publicUrl && url.origin !== new URL(idp.issuer).origin,
      });
    },
    async close() {
      await worker.close();
      await scim.close();
      await oidc.close();
      await idp.close();
      await db.drop();
    },
  };
}
