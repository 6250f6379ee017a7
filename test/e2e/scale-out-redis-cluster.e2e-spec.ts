import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { FailoverBalancer, startFailoverBalancer } from '../support/failover-balancer';
import { HttpBrowser } from '../support/http-browser';
import { childEnv, collect, distEntry, freePort, waitFor200 } from '../support/processes';
import { finishProductSignIn, followToProduct, registerProduct, startProductSignIn } from '../support/product-rp';
import { TestRedisCluster, startRedisCluster } from '../support/redis-cluster';
import { USER_SCHEMA } from '../support/scim-client';
import { TestDatabase, createTestDatabase } from '../support/test-database';
import { redisPrefix } from '../support/test-environment';
import { TestIdp, startTestIdp } from '../support/test-idp';
import { WebhookReceiver, eventually, startWebhookReceiver } from '../support/webhook-receiver';

type AppName = 'scim' | 'oidc' | 'worker';
const APPS: readonly AppName[] = ['scim', 'oidc', 'worker'];
const PORT_VARIABLE: Record<AppName, string> = { scim: 'SCIM_PORT', oidc: 'OIDC_PORT', worker: 'WORKER_PORT' };
/** Failed authentications per client address before 429: small, so the test reaches it in a few requests. */
const AUTH_FAILURES = 4;

interface Replica {
  readonly app: AppName;
  readonly port: number;
  readonly url: string;
  readonly child: ChildProcess;
  readonly output: ReturnType<typeof collect>;
}

/** JSON over HTTP to one replica (or the load balancer). */
async function send(
  url: string,
  method: string,
  token: string | undefined,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined
        ? {}
        : { 'content-type': url.includes('/scim/') ? 'application/scim+json' : 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

describe('scale-out: two replicas of each app on one PostgreSQL and a three-master Redis Cluster', () => {
  let cluster: TestRedisCluster;
  let db: TestDatabase;
  let idp: TestIdp;
  let receiver: WebhookReceiver;
  /** In front of the OIDC replicas (PUBLIC_URL), and of the SCIM replicas. */
  let balancer: FailoverBalancer;
  let scimBalancer: FailoverBalancer;
  const replicas: Replica[] = [];
  const prefix = `${redisPrefix()}-cluster-${randomBytes(3).toString('hex')}`;
  const adminToken = `gwa_${randomBytes(24).toString('base64url')}`;
  let scimToken: string;
  const of = (app: AppName) => replicas.filter((replica) => replica.app === app);

  /** Signs in through the balancer; the browser then holds the session. */
  async function signIn(login: string): Promise<HttpBrowser> {
    const browser = new HttpBrowser();
    const page = await browser.open(`${balancer.url}/auth/login?tenant=acme`);
    const done = await browser.follow(await browser.submitLoginForm(page, login));
    const callback = done.chain.find((hop) => new URL(hop.url).pathname === '/auth/callback');
    if (callback?.status !== 302)
      throw new Error(`${login} could not sign in: ${done.status} ${done.body.slice(0, 300)}`);
    return browser;
  }

  /**
   * Creates a user as an IdP does: a 502 (the replica died answering) is retried, and a 409 then means it was made,
   * so it is looked up (that request, too, retried after a 502).
   */
  async function provision(userName: string): Promise<string> {
    let created = false;
    for (let attempt = 0; attempt < 10; attempt++) {
      if (created) {
        const filter = encodeURIComponent(`userName eq "${userName}"`);
        const found = await send(`${scimBalancer.url}/scim/v2/Users?filter=${filter}`, 'GET', scimToken);
        if (found.status === 200) return found.body.Resources[0].id as string;
        if (found.status !== 502) throw new Error(`${userName}: ${found.status} ${JSON.stringify(found.body)}`);
        continue;
      }
      const answer = await send(`${scimBalancer.url}/scim/v2/Users`, 'POST', scimToken, {
        schemas: [USER_SCHEMA],
        userName,
      });
      if (answer.status === 201) return answer.body.id as string;
      created = answer.status === 409;
      if (!created && answer.status !== 502) {
        throw new Error(`${userName}: ${answer.status} ${JSON.stringify(answer.body)}`);
      }
    }
    throw new Error(`${userName}: no replica answered`);
  }

  beforeAll(async () => {
    [cluster, db, idp, receiver] = await Promise.all([
      startRedisCluster(3),
      createTestDatabase(),
      startTestIdp({
        accounts: ['ada', 'bob', 'carol', 'dave'].map((name) => ({
          sub: `00u-${name}`,
          email: `${name}@acme.example`,
          name,
        })),
      }),
      startWebhookReceiver(),
    ]);
    const balancerPort = await freePort();
    const env = {
      DATABASE_URL: db.url,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'gw-scale-out-')),
      // Only its credentials and TLS would count: the cluster's nodes say where Redis is.
      REDIS_URL: `redis://127.0.0.1:${cluster.ports[0]}`,
      REDIS_CLUSTER_NODES: cluster.nodesSetting,
      REDIS_PREFIX: prefix,
      PUBLIC_URL: `http://127.0.0.1:${balancerPort}`,
      ADMIN_TOKEN: adminToken,
      SECRETS_KEY: randomBytes(32).toString('hex'),
      ALLOW_HTTP_ISSUERS: 'true',
      ALLOW_PRIVATE_NETWORKS: 'true',
      DELIVERY_BACKOFF_MS: '100',
      RATE_LIMIT_AUTH_FAILURES: String(AUTH_FAILURES),
      // The test plays a load balancer that says who the client is.
      TRUST_PROXY_HOPS: '1',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
    };
    for (const app of APPS) {
      for (let i = 0; i < 2; i++) {
        const port = await freePort();
        const child = spawn(process.execPath, [distEntry(app)], {
          env: childEnv({ ...env, [PORT_VARIABLE[app]]: String(port) }),
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        replicas.push({ app, port, url: `http://127.0.0.1:${port}`, child, output: collect(child) });
      }
    }
    await Promise.all(
      replicas.map((replica) =>
        waitFor200(`${replica.url}/health/ready`, 45_000).catch((error: Error) => {
          const said = `${replica.output.stdout()}${replica.output.stderr()}`.slice(-3000);
          throw new Error(`${replica.app} on ${replica.port}: ${error.message}\n${said}`);
        }),
      ),
    );
    balancer = await startFailoverBalancer(
      of('oidc').map((replica) => replica.port),
      balancerPort,
    );
    scimBalancer = await startFailoverBalancer(of('scim').map((replica) => replica.port));
  }, 90_000);

  afterAll(async () => {
    await Promise.all(
      replicas.map(
        ({ child }) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    await balancer?.close();
    await scimBalancer?.close();
    await receiver?.close();
    await idp?.close();
    await db?.drop();
    await cluster?.close();
  }, 30_000);

  it('sets up a tenant through the OIDC replicas: tenant, SCIM token, IdP connection, webhook', async () => {
    const [first, second] = of('oidc');
    const created = await send(`${first.url}/admin/v1/tenants`, 'POST', adminToken, {
      slug: 'acme',
      name: 'Acme',
      domains: ['acme.example'],
      signIn: 'jit',
    });
    expect(created.status).toBe(201);
    const token = await send(`${second.url}/admin/v1/tenants/acme/scim-tokens`, 'POST', adminToken, {});
    expect(token.status).toBe(201);
    scimToken = token.body.token as string;
    idp.registerClient({
      client_id: 'gw-acme',
      client_secret: 'acme-secret',
      redirect_uris: [`${balancer.url}/auth/callback`],
    });
    const connected = await send(`${first.url}/admin/v1/tenants/acme/oidc`, 'PUT', adminToken, {
      issuer: idp.issuer,
      clientId: 'gw-acme',
      clientSecret: 'acme-secret',
    });
    expect(connected.status).toBe(200);
    const subscribed = await send(`${second.url}/admin/v1/subscriptions`, 'POST', adminToken, {
      name: 'Directory mirror',
      url: receiver.url,
      events: ['user.*'],
    });
    expect(subscribed.status).toBe(201);
  });

  it('creates users through one SCIM replica and reads them through the other', async () => {
    const [first, second] = of('scim');
    const created = await send(`${first.url}/scim/v2/Users`, 'POST', scimToken, {
      schemas: [USER_SCHEMA],
      userName: 'grace@acme.example',
      name: { givenName: 'Grace', familyName: 'Hopper' },
      emails: [{ value: 'grace@acme.example', primary: true }],
    });
    expect(created.status).toBe(201);
    const read = await send(`${second.url}/scim/v2/Users/${created.body.id}`, 'GET', scimToken);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: created.body.id, userName: 'grace@acme.example' });
  });

  it('delivers each event to the webhook exactly once with two workers', async () => {
    const [first, second] = of('scim');
    const created: string[] = [];
    for (let i = 0; i < 10; i++) {
      const replica = i % 2 === 0 ? second : first;
      const response = await send(`${replica.url}/scim/v2/Users`, 'POST', scimToken, {
        schemas: [USER_SCHEMA],
        userName: `burst-${i}@acme.example`,
      });
      expect(response.status).toBe(201);
      created.push(response.body.id as string);
    }
    // grace's user.created and the burst's ten.
    const expected = created.length + 1;
    await eventually(() => receiver.accepted().length >= expected, 20_000, `${expected} webhooks`);
    // Room for a duplicate to show up, had one been sent.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const ids = receiver.received.map((request) => request.headers['webhook-id']);
    expect(ids).toHaveLength(expected);
    expect(new Set(ids).size).toBe(expected);
    const subjects = receiver.received.map((request) => request.event.subject.id as string);
    expect(subjects).toEqual(expect.arrayContaining(created));
  });

  it('keeps a sign-in session started on one OIDC replica working on the other', async () => {
    const browser = new HttpBrowser();
    const login = await browser.open(`${balancer.url}/auth/login?tenant=acme`);
    expect(login.url.startsWith(idp.origin)).toBe(true);
    const done = await browser.follow(await browser.submitLoginForm(login, 'ada@acme.example'));
    const callback = done.chain.find((hop) => new URL(hop.url).pathname === '/auth/callback');
    expect(callback?.status).toBe(302);
    // The sign-in began on one replica and came back to the other (the balancer alternates).
    const steps = balancer.answeredBy.filter((request) => request.path.startsWith('/auth/'));
    const began = steps.find((request) => request.path === '/auth/login')!.upstream;
    const finished = steps.find((request) => request.path === '/auth/callback')!.upstream;
    expect(finished).not.toBe(began);

    const cookie = browser.cookies.header(`${balancer.url}/auth/me`)!;
    expect(cookie).toMatch(/gw_session=/);
    for (const replica of of('oidc')) {
      const me = await send(`${replica.url}/auth/me`, 'GET', undefined, undefined, { cookie });
      expect(me.status).toBe(200);
      expect(me.body.user).toMatchObject({ tenant: 'acme', email: 'ada@acme.example' });
    }

    // Deactivated through a SCIM replica: the session ends on every OIDC replica (through the cluster's queues).
    const listed = await send(
      `${of('scim')[1].url}/scim/v2/Users?filter=${encodeURIComponent('userName eq "ada@acme.example"')}`,
      'GET',
      scimToken,
    );
    const adaId = listed.body.Resources[0].id as string;
    const deactivated = await send(`${of('scim')[0].url}/scim/v2/Users/${adaId}`, 'PATCH', scimToken, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect(deactivated.status).toBe(200);
    for (const replica of of('oidc')) {
      await eventually(
        async () => (await send(`${replica.url}/auth/me`, 'GET', undefined, undefined, { cookie })).status === 401,
        15_000,
        `the session ended on ${replica.url}`,
      );
    }
  });

  it("signs a product in through the gateway's OpenID Provider; a replayed refresh token revokes the whole grant", async () => {
    const admin = {
      post: async (path: string, body?: unknown) => ({
        ...(await send(`${balancer.url}${path}`, 'POST', adminToken, body)),
        headers: {},
      }),
    };
    const wiki = await registerProduct(admin, balancer.url, {
      name: 'Wiki',
      redirectUris: ['http://127.0.0.1:9/wiki/cb'],
    });
    const browser = new HttpBrowser();
    const start = await startProductSignIn(wiki, {
      organization: 'acme',
      scope: 'openid email offline_access',
      prompt: 'consent',
    });
    const login = await browser.open(start.url);
    const done = await followToProduct(browser, await browser.submitLoginForm(login, 'bob@acme.example'), wiki);
    const tokens = await finishProductSignIn(wiki, start, done.location!);
    expect(tokens.claims()).toMatchObject({ email: 'bob@acme.example', org: 'acme' });
    const refreshed = await oidc.refreshTokenGrant(wiki.config, tokens.refresh_token!);
    await expect(oidc.refreshTokenGrant(wiki.config, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    // The replay revoked the grant's tokens, each in its own slot of the cluster: the rotated one too.
    await expect(oidc.refreshTokenGrant(wiki.config, refreshed.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('counts failed authentications of one client across the SCIM replicas', async () => {
    const client = { 'x-forwarded-for': '198.51.100.10' };
    const statuses: number[] = [];
    for (let i = 0; i <= AUTH_FAILURES; i++) {
      const replica = of('scim')[i % 2];
      statuses.push(
        (await send(`${replica.url}/scim/v2/Users?count=1`, 'GET', `gws_wrong-${i}`, undefined, client)).status,
      );
    }
    // Each replica saw at most three: alone, neither would have refused.
    expect(statuses).toEqual([...Array<number>(AUTH_FAILURES).fill(401), 429]);
    expect(
      (await send(`${of('scim')[0].url}/scim/v2/Users?count=1`, 'GET', 'gws_wrong', undefined, client)).status,
    ).toBe(429);
    // The right token from the same address still passes.
    expect((await send(`${of('scim')[1].url}/scim/v2/Users?count=1`, 'GET', scimToken, undefined, client)).status).toBe(
      200,
    );
  });

  it('keeps its keys in the cluster: BullMQ in the slot of {prefix}, the rest spread over the masters', async () => {
    const queueKeys = await cluster.keys(`{${prefix}}:*`);
    expect(queueKeys.length).toBeGreaterThan(0);
    // BullMQ's keys and the worker's data sentinel share one slot, so one master.
    expect(new Set(queueKeys.map(({ port }) => port)).size).toBe(1);
    expect(queueKeys.map(({ key }) => key)).toEqual(
      expect.arrayContaining([
        `{${prefix}}:data-sentinel`,
        expect.stringMatching(new RegExp(`^\\{${prefix}\\}:[\\w-]+:`)),
      ]),
    );
    // The others keep the plain prefix and their own hash tags, so they spread over the slots.
    const otherKeys = (await cluster.keys(`${prefix}:*`)).map(({ key }) => key);
    expect(otherKeys).toEqual(
      expect.arrayContaining([
        `${prefix}:rl:auth-failures:{198.51.100.10}`,
        expect.stringMatching(/:rl:sign-in-starts:\{/),
        `${prefix}:rl:sign-in-pending:{all}`,
      ]),
    );
    // Nothing of the gateway's went anywhere but the cluster's masters, and no replica logged an error.
    for (const replica of replicas) {
      expect(replica.output.stderr()).not.toMatch(/"level":(40|50|60)|CROSSSLOT|ERROR/);
      expect(replica.output.stdout()).not.toMatch(/"level":(40|50|60)|CROSSSLOT/);
    }
  });

  it('loses one replica of each app under a burst of SCIM changes and sign-ins: nothing lost or sent twice under another id, sessions live on', async () => {
    const signedIn = await Promise.all(['bob@acme.example', 'carol@acme.example'].map(signIn));
    let killedAt = Number.POSITIVE_INFINITY;
    let afterTheLoss = 0;
    const burst = Promise.all(
      Array.from({ length: 4 }, async (_, lane) => {
        const ids: string[] = [];
        for (let i = 0; i < 15; i++) {
          ids.push(await provision(`wave-${lane}-${i}@acme.example`));
          if (Date.now() > killedAt) afterTheLoss++;
        }
        return ids;
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const app of APPS) of(app)[0].child.kill('SIGKILL');
    killedAt = Date.now();
    const late = signIn('dave@acme.example');
    const created = (await burst).flat();
    signedIn.push(await late);
    // The burst went on across the loss.
    expect(afterTheLoss).toBeGreaterThan(10);

    // Sessions begun before the loss, and the one begun during it, live on the replica that is left.
    for (const browser of signedIn) {
      const me = await browser.get(`${balancer.url}/auth/me`);
      expect(me.status).toBe(200);
    }
    // Every change reaches the webhook (the dead worker's jobs are taken over), each event under one id.
    await eventually(
      () => {
        const delivered = new Set(receiver.accepted().map((request) => request.event.subject.id as string));
        return created.every((id) => delivered.has(id));
      },
      40_000,
      `user.created of all ${created.length} users`,
    );
    const idsOf = new Map<string, Set<string>>();
    for (const request of receiver.received) {
      const what = `${request.event.type as string} ${request.event.subject.id as string} ${request.event.sequence as number}`;
      idsOf.set(what, (idsOf.get(what) ?? new Set()).add(String(request.headers['webhook-id'])));
    }
    for (const [what, ids] of idsOf) expect({ what, ids: ids.size }).toEqual({ what, ids: 1 });
  }, 60_000);
});
