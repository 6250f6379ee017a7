import { randomBytes } from 'node:crypto';
import { IncomingMessage, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import type { Adapter, AdapterPayload, Configuration, KoaContextWithOIDC } from 'oidc-provider';
import type Provider from 'oidc-provider';

/** A person at the IdP; the claims userinfo returns, by scope. */
export interface LocalIdpAccount {
  sub: string;
  email: string;
  email_verified?: boolean;
  name?: string;
  given_name?: string;
  family_name?: string;
  preferred_username?: string;
  groups?: string[];
}

/** An OIDC web app registered at the IdP, as an Okta admin would set it up. */
export interface LocalIdpClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  post_logout_redirect_uris?: string[];
  /** Okta's default for web apps. */
  token_endpoint_auth_method?: 'client_secret_basic' | 'client_secret_post';
}

export interface LocalIdpOptions {
  /** The port on 127.0.0.1; by default one the system picks. */
  port?: number;
  /** Issuer path, e.g. '/oauth2/default' for an Okta custom authorization server; none for the org server. */
  path?: string;
  clients?: LocalIdpClient[];
  accounts?: LocalIdpAccount[];
  /** When set, the login form also asks for this password; by default any known login signs in. */
  password?: string;
}

/** One HTTP request the IdP answered. */
export interface LocalIdpRequest {
  readonly method: string;
  /** The path without the query, issuer path included. */
  readonly path: string;
  readonly status: number;
}

/** An OAuth error the provider answered with (e.g. invalid_grant for a replayed code). */
export interface LocalIdpError {
  /** The provider event, e.g. 'grant.error', 'authorization.error', 'server_error'. */
  readonly event: string;
  readonly error: string;
  readonly description?: string;
}

export interface LocalIdp {
  /** `http://127.0.0.1:PORT` or `http://127.0.0.1:PORT/oauth2/default`. */
  readonly issuer: string;
  /** `http://127.0.0.1:PORT`, where the login and logout pages live. */
  readonly origin: string;
  readonly port: number;
  /** An issuer on this server whose discovery answers 404, to make discovery fail. */
  readonly brokenIssuer: string;
  /** Every request the IdP answered, in order. */
  readonly requests: readonly LocalIdpRequest[];
  /** TCP connections made to the IdP so far (a connection need not carry a whole request). */
  connections(): number;
  /** Every OAuth error the provider answered with, in order. */
  readonly errors: readonly LocalIdpError[];
  /** The requests to the token endpoint. */
  tokenRequests(): LocalIdpRequest[];
  addAccount(account: LocalIdpAccount): void;
  /** Changes a person's claims; later userinfo calls see them. */
  setClaims(sub: string, claims: Partial<Omit<LocalIdpAccount, 'sub'>>): void;
  /** Deletes a person: their sessions and tokens stop working. */
  removeAccount(sub: string): void;
  registerClient(client: LocalIdpClient): void;
  /** The underlying provider, for what this harness does not cover. */
  readonly provider: Provider;
  close(): Promise<void>;
}

/** Scope → claims, as Okta maps them. */
const CLAIMS_BY_SCOPE = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  profile: ['name', 'given_name', 'family_name', 'preferred_username'],
  groups: ['groups'],
};

/**
 * Starts a real OpenID Provider (oidc-provider) on 127.0.0.1 that plays a tenant's Okta for a web app,
 * for `npm run dev:idp` and for the tests:
 * code flow with PKCE (S256) required, a thin ID token (scope claims only from userinfo),
 * a login form at `/interaction/:uid` (no consent page) and RP-initiated logout.
 *
 * To make discovery fail, point the gateway at `idp.brokenIssuer` (its discovery answers 404).
 */
export async function startLocalIdp(options: LocalIdpOptions = {}): Promise<LocalIdp> {
  const accounts = new Map<string, LocalIdpAccount>();
  const clients = new Map<string, AdapterPayload>();
  for (const account of options.accounts ?? []) accounts.set(account.sub, { ...account });
  for (const client of options.clients ?? []) clients.set(client.client_id, toClientMetadata(client));

  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let connections = 0;
  server.on('connection', () => (connections += 1));
  const origin = `http://127.0.0.1:${port}`;
  const mountPath = normalisePath(options.path);
  const issuer = `${origin}${mountPath}`;

  const { default: ProviderClass } = await importQuietly();
  const provider = new ProviderClass(issuer, await configuration(accounts, clients));
  const requests: LocalIdpRequest[] = [];
  const errors: LocalIdpError[] = [];
  recordErrors(provider, errors);

  const interactions = new InteractionRoutes(provider, accounts, options.password);
  const handleProvider = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', origin).pathname;
    res.on('finish', () => requests.push({ method: req.method ?? 'GET', path, status: res.statusCode }));
    if (path.startsWith('/interaction/')) {
      interactions.handle(req, res, path).catch((error: unknown) => sendError(res, error));
      return;
    }
    if (mountPath && path !== mountPath && !path.startsWith(`${mountPath}/`)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    // The provider derives its mount path from originalUrl versus url, as under Express.
    (req as IncomingMessage & { originalUrl?: string }).originalUrl = req.url;
    req.url = req.url!.slice(mountPath.length) || '/';
    void handleProvider(req, res);
  });

  return {
    issuer,
    origin,
    port,
    brokenIssuer: `${origin}/nope`,
    requests,
    connections: () => connections,
    errors,
    provider,
    tokenRequests: () => requests.filter((r) => r.path === `${mountPath}/token`),
    addAccount: (account) => void accounts.set(account.sub, { ...account }),
    setClaims: (sub, claims) => {
      const account = accounts.get(sub);
      if (!account) throw new Error(`local IdP: no account ${sub}`);
      accounts.set(sub, { ...account, ...claims });
    },
    removeAccount: (sub) => void accounts.delete(sub),
    registerClient: (client) => void clients.set(client.client_id, toClientMetadata(client)),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function configuration(
  accounts: Map<string, LocalIdpAccount>,
  clients: Map<string, AdapterPayload>,
): Promise<Configuration> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: 'local-idp-rs256', alg: 'RS256', use: 'sig' };
  const store = new ProviderStore(clients);
  return {
    adapter: (model: string) => store.adapterFor(model),
    // Our own keys, so the provider neither warns about development keys nor signs with them.
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    claims: CLAIMS_BY_SCOPE,
    // Okta's code flow: the ID token carries protocol claims only, the profile comes from userinfo.
    conformIdTokenClaims: true,
    pkce: { required: () => true },
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    findAccount: (_ctx, sub) => {
      if (!accounts.has(sub)) return undefined;
      return {
        accountId: sub,
        // Read at call time, so setClaims applies to the next userinfo call.
        claims: () => {
          const account = accounts.get(sub);
          return { ...account, sub, email_verified: account?.email_verified ?? true };
        },
      };
    },
    loadExistingGrant: grantRequestedScopes,
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    clientBasedCORS: () => false,
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page(
        'Error',
        `<h1 id="error">${escapeHtml(out.error)}</h1><p>${escapeHtml(out.error_description ?? '')}</p>`,
      );
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
    },
    // Explicit lifetimes, so the provider does not warn about its defaults.
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      BackchannelAuthenticationRequest: 600,
      ClientCredentials: 600,
      DeviceCode: 600,
      Grant: 86400,
      IdToken: 3600,
      Interaction: 3600,
      PreAuthorizedCode: 600,
      RefreshToken: 86400,
      Session: 86400,
    },
  };
}

/** No consent page: the person grants whatever OIDC scopes the client asked for. */
async function grantRequestedScopes(ctx: KoaContextWithOIDC) {
  const { oidc } = ctx;
  const clientId = oidc.client!.clientId;
  const grantId = oidc.result?.consent?.grantId ?? oidc.session!.grantIdFor(clientId);
  const existing = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
  const grant = existing ?? new oidc.provider.Grant({ clientId, accountId: oidc.session!.accountId });
  grant.addOIDCScope(oidc.requestParamOIDCScopes);
  await grant.save();
  return grant;
}

/** The end-session confirmation: submits itself in a browser, and posts as a plain form too. */
function logoutSource(ctx: KoaContextWithOIDC, form: string): void {
  const confirmed = form.replace('</form>', '<input type="hidden" name="logout" value="yes"/></form>');
  ctx.body = page(
    'Sign out',
    `${confirmed}<button id="sign-out" type="submit" form="op.logoutForm">Sign out</button>` +
      '<script>document.forms[0].submit()</script>',
  );
}

function postLogoutSuccessSource(ctx: KoaContextWithOIDC): void {
  ctx.body = page('Signed out', '<h1 id="signed-out">Signed out</h1>');
}

/** The login form at `/interaction/:uid`, posted to `/interaction/:uid/login`, and a cancel button. */
class InteractionRoutes {
  constructor(
    private readonly provider: Provider,
    private readonly accounts: Map<string, LocalIdpAccount>,
    private readonly password: string | undefined,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const [, , uid, action] = path.split('/');
    const details = await this.provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new Error('interaction mismatch');
    if (req.method === 'GET' && action === undefined) {
      const hint = details.params.login_hint;
      this.renderLogin(res, uid, typeof hint === 'string' ? hint : '');
      return;
    }
    if (req.method === 'POST' && action === 'login') {
      const form = new URLSearchParams(await readBody(req));
      const login = form.get('login') ?? '';
      const account = this.findByLogin(login);
      if (!account || (this.password !== undefined && form.get('password') !== this.password)) {
        this.renderLogin(res, uid, login, 'Unable to sign in');
        return;
      }
      await this.provider.interactionFinished(req, res, { login: { accountId: account.sub } });
      return;
    }
    if (req.method === 'POST' && action === 'abort') {
      const result = { error: 'access_denied', error_description: 'The user cancelled the sign-in' };
      await this.provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
  }

  private findByLogin(login: string): LocalIdpAccount | undefined {
    const wanted = login.trim().toLowerCase();
    return [...this.accounts.values()].find((a) => a.sub === login || a.email.toLowerCase() === wanted);
  }

  private renderLogin(res: ServerResponse, uid: string, login: string, error?: string): void {
    const password =
      this.password === undefined ? '' : '<input name="password" type="password" placeholder="Password"/>';
    const body =
      (error ? `<p id="login-error">${escapeHtml(error)}</p>` : '') +
      `<form method="post" action="/interaction/${uid}/login">` +
      `<input name="login" type="text" placeholder="Email" value="${escapeHtml(login)}" autofocus/>${password}` +
      '<button id="sign-in" type="submit">Sign in</button></form>' +
      `<form method="post" action="/interaction/${uid}/abort"><button id="cancel" type="submit">Cancel</button></form>`;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(page('Sign in', body));
  }
}

/**
 * The provider's storage, one per IdP (the built-in memory adapter is process-wide and warns).
 * Clients come from the registered map, so they can be added after start.
 */
class ProviderStore {
  private readonly entries = new Map<string, { payload: AdapterPayload; expiresAt: number }>();

  constructor(private readonly clients: Map<string, AdapterPayload>) {}

  adapterFor(model: string): Adapter {
    const key = (id: string) => `${model}:${id}`;
    const find = (id: string) => (model === 'Client' ? this.clients.get(id) : this.live(key(id)));
    const findWhere = (predicate: (payload: AdapterPayload) => boolean) =>
      [...this.entries.keys()]
        .filter((k) => k.startsWith(`${model}:`))
        .map((k) => this.live(k))
        .find((payload) => payload !== undefined && predicate(payload));
    // The provider awaits every adapter call; an in-memory store answers at once.
    return {
      find: (id) => Promise.resolve(find(id)),
      findByUid: (uid) => Promise.resolve(findWhere((payload) => payload.uid === uid)),
      findByUserCode: (userCode) => Promise.resolve(findWhere((payload) => payload.userCode === userCode)),
      upsert: (id, payload, expiresIn) => {
        const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : Infinity;
        this.entries.set(key(id), { payload, expiresAt });
        return Promise.resolve();
      },
      consume: (id) => {
        const entry = this.entries.get(key(id));
        if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
        return Promise.resolve();
      },
      destroy: (id) => {
        this.entries.delete(key(id));
        return Promise.resolve();
      },
      revokeByGrantId: (grantId) => {
        for (const [k, entry] of this.entries) if (entry.payload.grantId === grantId) this.entries.delete(k);
        return Promise.resolve();
      },
    };
  }

  private live(key: string): AdapterPayload | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) this.entries.delete(key);
    return entry && entry.expiresAt > Date.now() ? entry.payload : undefined;
  }
}

function toClientMetadata(client: LocalIdpClient): AdapterPayload {
  return {
    client_id: client.client_id,
    client_secret: client.client_secret,
    redirect_uris: client.redirect_uris,
    post_logout_redirect_uris: client.post_logout_redirect_uris ?? [],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: client.token_endpoint_auth_method ?? 'client_secret_basic',
  };
}

function recordErrors(provider: Provider, errors: LocalIdpError[]): void {
  const record = (event: string) => (_ctx: unknown, error: { error?: string; error_description?: string }) =>
    void errors.push({ event, error: error.error ?? 'unknown', description: error.error_description });
  provider.on('grant.error', record('grant.error'));
  provider.on('authorization.error', record('authorization.error'));
  provider.on('userinfo.error', record('userinfo.error'));
  provider.on('end_session.error', record('end_session.error'));
  provider.on('discovery.error', record('discovery.error'));
  provider.on('server_error', (_ctx, error) => {
    errors.push({ event: 'server_error', error: 'server_error', description: error.message });
  });
}

/**
 * Loads oidc-provider without its import-time notice about Node versions before 22:
 * it supports Node 20, which the gateway targets, and the notice is noise in test and console output.
 */
async function importQuietly(): Promise<typeof import('oidc-provider')> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).includes('oidc-provider WARNING: Unsupported runtime')) warn(...args);
  };
  try {
    return await import('oidc-provider');
  } finally {
    console.warn = warn;
  }
}

function normalisePath(path: string | undefined): string {
  if (!path || path === '/') return '';
  return `/${path.replace(/^\/+|\/+$/g, '')}`;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) return void res.end();
  const message = error instanceof Error ? error.message : String(error);
  res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
  res.end(page('Error', `<h1 id="error">${escapeHtml(message)}</h1>`));
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
