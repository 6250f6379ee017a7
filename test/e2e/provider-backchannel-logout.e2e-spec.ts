import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { JWTPayload, createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { ProductSessions } from '../../apps/oidc/src/provider/product-sessions';
import { HttpBrowser } from '../support/http-browser';
import {
  RegisteredProduct,
  finishProductSignIn,
  followToProduct,
  registerProduct,
  startProductSignIn,
} from '../support/product-rp';
import { USER_SCHEMA } from '../support/scim-client';
import { SignInGateway, SignInTenant, startSignInGateway } from '../support/sign-in-gateway';
import { TEST_REDIS_URL } from '../support/test-environment';
import { WebhookReceiver, eventually, startWebhookReceiver } from '../support/webhook-receiver';

const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** A product session as the product keeps it: who, and the `sid` its ID token named. */
interface ProductSession {
  readonly product: RegisteredProduct;
  readonly sub: string;
  readonly sid: string;
  readonly refreshToken?: string;
}

describe('back-channel logout: every end of a gateway session reaches the products', () => {
  let gw: SignInGateway;
  let acme: SignInTenant;
  let receiver: WebhookReceiver;
  let wiki: RegisteredProduct;
  let billing: RegisteredProduct;
  let silent: RegisteredProduct;
  let redis: Redis;
  let jwks: ReturnType<typeof createRemoteJWKSet>;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    gw = await startSignInGateway();
    acme = await gw.tenant('acme', { domains: ['acme.example'] });
    const product = (name: string, backchannel: boolean) =>
      registerProduct(gw.admin, gw.publicUrl, {
        name,
        redirectUris: [`http://127.0.0.1:9/${name}/callback`],
        postLogoutRedirectUris: [`http://127.0.0.1:9/${name}/signed-out`],
        ...(backchannel ? { backchannelLogoutUri: `${receiver.url}/${name}` } : {}),
      });
    wiki = await product('wiki', true);
    billing = await product('billing', true);
    silent = await product('silent', false);
    redis = new Redis(TEST_REDIS_URL);
    jwks = createRemoteJWKSet(new URL(`${gw.publicUrl}/.well-known/jwks.json`));
  });
  afterAll(async () => {
    redis?.disconnect();
    await gw?.close();
    await receiver?.close();
  });

  /** A provisioned user, known to the IdP too. */
  async function person(name: string): Promise<{ id: string; email: string }> {
    const email = `${name}@acme.example`;
    gw.idp.addAccount({ sub: `00u-${name}`, email, name });
    const created = await acme.send('POST', '/scim/v2/Users', {
      schemas: [USER_SCHEMA],
      userName: email,
      externalId: `00u-${name}`,
      emails: [{ value: email, primary: true }],
    });
    expect(created.status).toBe(201);
    return { id: created.body.id as string, email };
  }

  /** Signs in to the first product through the IdP, then to the others by SSO, in one browser. */
  async function signInTo(email: string, products: RegisteredProduct[], scope = 'openid email') {
    const browser = new HttpBrowser();
    const sessions: ProductSession[] = [];
    for (const [index, product] of products.entries()) {
      const start = await startProductSignIn(product, { organization: 'acme', scope, prompt: 'consent' });
      const done =
        index === 0
          ? await gw.signIn(browser, start.url, email)
          : await followToProduct(browser, await browser.get(start.url), product);
      const tokens = await finishProductSignIn(product, start, done.location!);
      const claims = tokens.claims()!;
      sessions.push({ product, sub: claims.sub, sid: claims.sid as string, refreshToken: tokens.refresh_token });
    }
    return { browser, sessions };
  }

  /** The logout tokens a product received for this session id, verified as a product must (§2.6). */
  function logoutTokensFor(session: ProductSession): Promise<JWTPayload[]> {
    return Promise.all(
      receiver
        .accepted()
        .filter((request) => request.headers['content-type'] === 'application/x-www-form-urlencoded')
        .map((request) => new URLSearchParams(request.body).get('logout_token')!)
        .filter((token) => {
          const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as JWTPayload;
          return payload.sid === session.sid && payload.aud === session.product.clientId;
        })
        .map(async (token) => {
          expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES256', typ: 'logout+jwt' });
          const { payload } = await jwtVerify(token, jwks, {
            issuer: gw.publicUrl,
            audience: session.product.clientId,
            maxTokenAge: '2 minutes',
          });
          return payload;
        }),
    );
  }

  async function expectLoggedOut(session: ProductSession, timeoutMs = 15_000): Promise<number> {
    const started = Date.now();
    const [payload] = await eventually(
      async () => {
        const tokens = await logoutTokensFor(session);
        return tokens.length > 0 ? tokens : undefined;
      },
      timeoutMs,
      `logout token for ${session.product.clientId}`,
    );
    expect(payload).toMatchObject({ sub: session.sub, sid: session.sid, events: { [LOGOUT_EVENT]: {} } });
    expect(typeof payload.jti).toBe('string');
    expect(payload).not.toHaveProperty('nonce');
    return Date.now() - started;
  }

  it('puts sid in the ID token of a product that takes logout tokens', async () => {
    const { id, email } = await person('ann');
    const { sessions } = await signInTo(email, [wiki, billing]);
    expect(sessions[0].sid).toEqual(expect.any(String));
    expect(sessions[0].sub).toBe(id);
    expect(sessions[1].sid).not.toBe(sessions[0].sid);
  });

  it('tells every product of a user deactivated through SCIM, within a second, signed with the gateway keys', async () => {
    const { id, email } = await person('ben');
    const { browser, sessions } = await signInTo(email, [wiki, billing, silent], 'openid email offline_access');
    const deactivated = Date.now();
    const patch = await acme.send('PATCH', `/scim/v2/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect(patch.status).toBe(200);
    await expectLoggedOut(sessions[0]);
    await expectLoggedOut(sessions[1]);
    const lastArrival = Math.max(
      ...receiver
        .accepted()
        .filter((r) => r.body.includes('logout_token'))
        .map((r) => r.receivedAt),
    );
    expect(lastArrival - deactivated).toBeLessThan(1000);
    expect((await browser.get(`${gw.publicUrl}/auth/me`)).status).toBe(401);
    for (const session of sessions) {
      await expect(oidc.refreshTokenGrant(session.product.config, session.refreshToken!)).rejects.toMatchObject({
        error: 'invalid_grant',
      });
    }
  });

  it('tells the products when SCIM deletes the user', async () => {
    const { id, email } = await person('cat');
    const { sessions } = await signInTo(email, [wiki]);
    expect((await acme.send('DELETE', `/scim/v2/Users/${id}`)).status).toBe(204);
    await expectLoggedOut(sessions[0]);
  });

  /** Both products got their logout token, the refresh token stopped working, and one `user.signed_out` was recorded. */
  const expectEveryProductToldOnce = async (id: string, sessions: Awaited<ReturnType<typeof signInTo>>['sessions']) => {
    await expectLoggedOut(sessions[0]);
    await expectLoggedOut(sessions[1]);
    await expect(oidc.refreshTokenGrant(wiki.config, sessions[0].refreshToken!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    const signedOut = await gw.db.query(
      `SELECT 1 FROM outbox_events WHERE subject_id = $1 AND type = 'user.signed_out'`,
      [id],
    );
    expect(signedOut).toHaveLength(1);
  };

  it("tells the products when an administrator revokes the user's sessions", async () => {
    const { id, email } = await person('dan');
    const { browser, sessions } = await signInTo(email, [wiki, billing], 'openid offline_access');
    const revoked = await gw.admin.delete(`/admin/v1/tenants/acme/users/${id}/sessions`);
    expect(revoked.status).toBe(204);
    expect((await browser.get(`${gw.publicUrl}/auth/me`)).status).toBe(401);
    await expectEveryProductToldOnce(id, sessions);
  });

  it('answers 404 for a revocation of an unknown user or tenant, and ends nothing', async () => {
    const { email } = await person('eli');
    const { browser } = await signInTo(email, [wiki]);
    expect(
      (await gw.admin.delete(`/admin/v1/tenants/acme/users/00000000-0000-4000-8000-000000000000/sessions`)).status,
    ).toBe(404);
    expect((await gw.admin.delete(`/admin/v1/tenants/acme/users/not-a-uuid/sessions`)).status).toBe(404);
    expect(
      (await gw.admin.delete(`/admin/v1/tenants/nobody/users/00000000-0000-4000-8000-000000000000/sessions`)).status,
    ).toBe(404);
    expect((await browser.get(`${gw.publicUrl}/auth/me`)).status).toBe(200);
  });

  it('tells every product when the user logs out at the gateway (/auth/logout)', async () => {
    const { id, email } = await person('lou');
    const { browser, sessions } = await signInTo(email, [wiki, billing], 'openid offline_access');
    const out = await browser.get(`${gw.publicUrl}/auth/logout`);
    expect(out.status).toBe(302);
    expect((await browser.get(`${gw.publicUrl}/auth/me`)).status).toBe(401);
    await expectEveryProductToldOnce(id, sessions);
  });

  it('tells the product again when it signed in again in the same browser and that session ends too', async () => {
    const { id, email } = await person('max');
    const { browser, sessions } = await signInTo(email, [wiki]);
    const revoke = () => gw.admin.delete(`/admin/v1/tenants/acme/users/${id}/sessions`);
    expect((await revoke()).status).toBe(204);
    await expectLoggedOut(sessions[0]);

    // The browser still has the provider's cookie; the IdP still has its session, so no login form.
    const start = await startProductSignIn(wiki, { organization: 'acme', scope: 'openid email' });
    const done = await followToProduct(browser, await browser.get(start.url), wiki);
    const claims = (await finishProductSignIn(wiki, start, done.location!)).claims()!;
    expect((await browser.get(`${gw.publicUrl}/auth/me`)).status).toBe(200);
    // A new product session, not the ended one back.
    const again: ProductSession = { product: wiki, sub: claims.sub, sid: claims.sid as string };
    expect(again.sid).toEqual(expect.any(String));
    expect(again.sid).not.toBe(sessions[0].sid);

    expect((await revoke()).status).toBe(204);
    await expectLoggedOut(again);
    const tokens = [...(await logoutTokensFor(sessions[0])), ...(await logoutTokensFor(again))];
    expect(tokens.map((token) => token.sid)).toEqual([sessions[0].sid, again.sid]);
    expect(new Set(tokens.map((token) => token.jti)).size).toBe(2);
  });

  it('tells the other products when the user logs out at one of them', async () => {
    const { email } = await person('fay');
    const { browser, sessions } = await signInTo(email, [wiki, billing]);
    const logoutUrl = oidc.buildEndSessionUrl(wiki.config, {
      id_token_hint: (await signInAgain(browser, wiki)).id_token!,
      post_logout_redirect_uri: 'http://127.0.0.1:9/wiki/signed-out',
    });
    const confirm = await browser.get(logoutUrl);
    const out = await browser.submitForm(confirm);
    expect(out.status).toBe(303);
    await expectLoggedOut(sessions[1]);
  });

  it('tells the products when the gateway session expires', async () => {
    const { email } = await person('gus');
    const { browser, sessions } = await signInTo(email, [billing]);
    // What Redis does when a session's TTL runs out: the key is gone, and nobody is told.
    const token = browser.cookies.get(gw.publicUrl, 'gw_session')!;
    const digest = createHash('sha256').update(token).digest('base64url');
    expect(await redis.del(`${gw.config.redisPrefix}:sessions:${digest}`)).toBe(1);
    // ... at the time it was due to end: the gateway watches each session until then.
    const due = `${gw.config.redisPrefix}:product-sessions:expiry`;
    const member = (await redis.zrange(due, 0, -1)).find((entry) => entry.startsWith(`${sessions[0].sub}/`))!;
    expect(await redis.zadd(due, 'XX', 'CH', Date.now() - 1, member)).toBe(1);
    await expectLoggedOut(sessions[0], 20_000);
  });

  it('keeps watching a session that was used since, and tells nobody', async () => {
    const { email } = await person('ida');
    const { browser, sessions } = await signInTo(email, [billing]);
    const due = `${gw.config.redisPrefix}:product-sessions:expiry`;
    const member = (await redis.zrange(due, 0, -1)).find((entry) => entry.startsWith(`${sessions[0].sub}/`))!;
    await redis.zadd(due, 'XX', Date.now() - 1, member);
    const rescored = await eventually(
      async () => {
        const score = Number(await redis.zscore(due, member));
        return score > Date.now() ? score : undefined;
      },
      20_000,
      'the session to be watched again',
    );
    expect(rescored).toBeGreaterThan(Date.now() + 3600_000);
    expect(await logoutTokensFor(sessions[0])).toEqual([]);
    expect((await browser.get(`${gw.publicUrl}/auth/me`)).status).toBe(200);
  });

  it('keeps the products signed in when the same person signs in again in the browser', async () => {
    const { email } = await person('ivy');
    const { browser, sessions } = await signInTo(email, [wiki], 'openid offline_access');
    const sessionId = async () => JSON.parse((await browser.get(`${gw.publicUrl}/auth/me`)).body).session.id as string;
    const before = await sessionId();
    // prompt=login at another product: a new gateway session for the same person replaces the old one.
    const start = await startProductSignIn(billing, { organization: 'acme', prompt: 'login' });
    const done = await followToProduct(browser, await browser.get(start.url), billing);
    expect(done.location).toMatch(/[?&]code=/);
    const after = await sessionId();
    expect(after).not.toBe(before);
    const productSessions = gw.oidc.get(ProductSessions);
    expect(await productSessions.bindings(before)).toEqual([]);
    expect((await productSessions.bindings(after)).map((binding) => binding.clientId)).toContain(wiki.clientId);
    // Wiki's grant was not revoked: its refresh token still works.
    await expect(oidc.refreshTokenGrant(wiki.config, sessions[0].refreshToken!)).resolves.toBeDefined();
  });

  it('retries a product that fails, until it takes the logout token', async () => {
    const { id, email } = await person('hal');
    const { sessions } = await signInTo(email, [wiki]);
    let failures = 0;
    receiver.respondWith((_index, body) => {
      if (body.includes('logout_token') && failures < 2) {
        failures++;
        return 503;
      }
      return 204;
    });
    try {
      await gw.admin.delete(`/admin/v1/tenants/acme/users/${id}/sessions`);
      await expectLoggedOut(sessions[0]);
      expect(failures).toBe(2);
      const metrics = (await gw.worker.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(/gateway_backchannel_logout_attempts_total\{outcome="retried"\} 2\b/);
      expect(metrics).toMatch(/gateway_backchannel_logout_attempts_total\{outcome="delivered"\} [1-9]/);
    } finally {
      receiver.respondWith(() => 204);
    }
  });

  /** The ID token of a fresh sign-in to `product` in this browser (SSO). */
  async function signInAgain(browser: HttpBrowser, product: RegisteredProduct) {
    const start = await startProductSignIn(product);
    const done = await followToProduct(browser, await browser.get(start.url), product);
    return finishProductSignIn(product, start, done.location!);
  }
});
