import { AsyncLocalStorage } from 'node:async_hooks';
import { hkdfSync } from 'node:crypto';
import { Readable } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { SigningKeysService } from '@app/identity';
import { DATABASE_RETRY_AFTER_SECONDS, databaseFailure } from '@app/identity/database/database-errors';
import { clientServesTenant, ProductClientRow } from '@app/identity/product-clients/product-client.row';
import { ProductClientsService } from '@app/identity/product-clients/product-clients.service';
import { APP_CONFIG, REDIS, RateLimits, ResolvedConfig, retryAfterSecondsOf } from '@app/platform';
import type { Redis } from 'ioredis';
import type { JWK } from 'jose';
import type {
  AdapterPayload,
  ClientMetadata,
  Configuration,
  KoaContextWithOIDC,
  default as Provider,
  ResourceServer,
} from 'oidc-provider';
import { AUTH_COOKIES } from '../sign-in/auth-cookies.provider';
import type { AuthCookies } from '../sign-in/cookies';
import { signInPage } from '../sign-in/sign-in-page';
import { CurrentUser, SessionUsers } from '../sessions/session-users';
import { SignOutFlow } from '../sessions/sign-out-flow.service';
import { ProductAccounts } from './product-accounts';
import { ProductSessions } from './product-sessions';
import { CLAIMS_BY_SCOPE } from './product-claims';
import { errorPageTitle, escapeHtml, providerPage, sendProviderPage } from './provider-pages';
import {
  PRODUCT_SIGN_IN_SCOPES,
  PRODUCTS_API_SCOPES,
  PROVIDER_ROUTES,
  interactionPath,
  productsApiAudience,
} from './provider-routes';
import { RedisProviderAdapter } from './redis-provider.adapter';

type OidcProviderModule = typeof import('oidc-provider');
type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post';

/** Lifetimes, in seconds. Sessions match the gateway's: 12 hours at most. */
const TTL = {
  AccessToken: 600,
  AuthorizationCode: 60,
  ClientCredentials: 600,
  IdToken: 3600,
  Interaction: 15 * 60,
  RefreshToken: 14 * 24 * 3600,
  Session: 12 * 3600,
  Grant: 14 * 24 * 3600,
  BackchannelAuthenticationRequest: 600,
  DeviceCode: 600,
  PreAuthorizedCode: 600,
} as const;

/** The provider built for one set of signing keys. */
interface Built {
  readonly version: string;
  readonly provider: Provider;
  readonly handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
}

/**
 * The gateway's OpenID Provider for the vendor's products: oidc-provider,
 * configured with the gateway's signing keys, clients from PostgreSQL, state in
 * Redis, and the gateway's own sign-in (sessions, tenant IdPs) as its login.
 *
 * oidc-provider keeps its keys in a keystore of its own, so the provider is
 * built again whenever the gateway's key set changes (rotation), which
 * SigningKeysService tells cheaply by a version string.
 */
@Injectable()
export class ProductProvider {
  private readonly logger = new Logger(ProductProvider.name);
  private readonly issuer: string;
  private readonly apiAudience: string;
  /** How this request authenticates its client: oidc-provider wants one method per client, products use either. */
  private readonly authMethod = new AsyncLocalStorage<ClientAuthMethod>();
  private readonly signedIn = new WeakMap<object, Promise<CurrentUser | undefined>>();
  private module: OidcProviderModule | undefined;
  private built: Built | undefined;
  private building: Promise<Built> | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(AUTH_COOKIES) private readonly cookies: AuthCookies,
    private readonly keys: SigningKeysService,
    private readonly clients: ProductClientsService,
    private readonly accounts: ProductAccounts,
    private readonly sessionUsers: SessionUsers,
    private readonly productSessions: ProductSessions,
    private readonly signOut: SignOutFlow,
    private readonly limits: RateLimits,
  ) {
    this.issuer = config.publicUrl.replace(/\/+$/, '');
    this.apiAudience = productsApiAudience(this.issuer);
  }

  /** The provider for the current signing keys. */
  async provider(): Promise<Provider> {
    return (await this.current()).provider;
  }

  /**
   * Hands a request to the provider. URLs it builds always start with
   * PUBLIC_URL, whatever Host or X-Forwarded-* the request carried.
   */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const built = await this.current();
    const publicUrl = new URL(this.issuer);
    req.headers['x-forwarded-proto'] = publicUrl.protocol.slice(0, -1);
    req.headers['x-forwarded-host'] = publicUrl.host;
    const method: ClientAuthMethod = /^basic /i.test(req.headers.authorization ?? '')
      ? 'client_secret_basic'
      : 'client_secret_post';
    const request = isTokenRequest(req) ? await withProductsApiScope(req) : req;
    await this.authMethod.run(method, () => built.handle(request, res));
  }

  /** The gateway session of the browser behind a provider request (once per request). */
  gatewaySignIn(ctx: KoaContextWithOIDC): Promise<CurrentUser | undefined> {
    let found = this.signedIn.get(ctx);
    if (!found) {
      found = this.whileDatabaseAnswers(
        this.sessionUsers.fromToken(ctx.cookies.get(this.cookies.session, { signed: false })),
      );
      this.signedIn.set(ctx, found);
    }
    return found;
  }

  private current(): Promise<Built> {
    return this.keys.privateKeySet().then((set) => {
      if (this.built?.version === set.version) return this.built;
      const building = (this.building ??= this.build(set.version, set.keys).finally(() => {
        if (this.building === building) this.building = undefined;
      }));
      return building;
    });
  }

  private async build(version: string, keys: readonly JWK[]): Promise<Built> {
    this.module ??= await importQuietly();
    const { default: ProviderClass } = this.module;
    const provider = new ProviderClass(this.issuer, this.configuration(keys));
    // The provider would POST logout tokens itself, once, from the logout request; the gateway
    // sends them for every way a session ends, from the worker, with retries (ProductSessions).
    provider.Client.prototype.backchannelLogout = () => Promise.resolve();
    // Behind PUBLIC_URL: `handle` sets the forwarded protocol and host itself.
    provider.proxy = true;
    this.listen(provider);
    provider.use(async (ctx, next) => {
      await next();
      // The database was away (whileDatabaseAnswers): the client may try again shortly, as at /auth/*.
      if (ctx.status === 503) ctx.set('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
      await this.countFailedClientAuthentication(ctx as KoaContextWithOIDC);
      await this.afterRequest(ctx as KoaContextWithOIDC);
    });
    const handle = provider.callback() as unknown as (req: IncomingMessage, res: ServerResponse) => Promise<void>;
    const built = { version, provider, handle };
    this.built = built;
    this.logger.log(`provider ready, keys ${version}`);
    return built;
  }

  private configuration(keys: readonly JWK[]): Configuration {
    const { interactionPolicy, errors } = this.module!;
    const policy = interactionPolicy.base();
    policy
      .get('login')!
      .checks.add(
        new interactionPolicy.Check(
          'gateway_session',
          'the gateway session for this product has ended or belongs to someone else',
          async (ctx) =>
            (await this.sessionServes(ctx))
              ? interactionPolicy.Check.NO_NEED_TO_PROMPT
              : interactionPolicy.Check.REQUEST_PROMPT,
        ),
      );
    const publicUrl = new URL(this.issuer);
    return {
      adapter: (model: string) =>
        model === 'Client'
          ? this.clientAdapter()
          : new RedisProviderAdapter(this.redis, this.config.redisPrefix, model),
      jwks: { keys: [...keys] as NonNullable<Configuration['jwks']>['keys'] },
      cookies: {
        names: { session: 'gw_op_session', interaction: 'gw_op_interaction', resume: 'gw_op_resume' },
        long: { httpOnly: true, sameSite: 'lax', secure: publicUrl.protocol === 'https:' },
        short: { httpOnly: true, sameSite: 'lax', secure: publicUrl.protocol === 'https:' },
        keys: [cookieKey(this.config.secretsKey)],
      },
      routes: PROVIDER_ROUTES,
      claims: Object.fromEntries(Object.entries(CLAIMS_BY_SCOPE).map(([scope, claims]) => [scope, [...claims]])),
      scopes: [...PRODUCT_SIGN_IN_SCOPES, ...PRODUCTS_API_SCOPES],
      extraParams: ['organization'],
      extraClientMetadata: { properties: ['tenants'] },
      // The claims belong in the ID token itself, not only at userinfo.
      conformIdTokenClaims: false,
      pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
      clientDefaults: {
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        id_token_signed_response_alg: 'ES256',
        token_endpoint_auth_method: 'client_secret_basic',
      },
      enabledJWA: { idTokenSigningAlgValues: ['ES256'], userinfoSigningAlgValues: ['ES256'] },
      findAccount: async (ctx, sub) => {
        const account = await this.whileDatabaseAnswers(this.accounts.find(sub));
        if (!account?.active) return undefined;
        const tenants = ctx.oidc.client?.['tenants'] as string[] | undefined;
        if (tenants && !clientServesTenant({ tenants }, account.tenantSlug)) return undefined;
        return { accountId: sub, claims: () => account.claims };
      },
      loadExistingGrant: (ctx) => this.firstPartyGrant(ctx),
      interactions: { policy, url: (_ctx, interaction) => interactionPath(interaction.uid) },
      rotateRefreshToken: true,
      extraTokenClaims: (ctx, token) =>
        token.kind === 'ClientCredentials' ? { tenants: ctx.oidc.client?.['tenants'] ?? [] } : undefined,
      clientBasedCORS: (_ctx, origin, client) =>
        client.redirectUris?.some((uri) => new URL(uri).origin === origin) ?? false,
      renderError: (ctx, out) => {
        if (ctx.status === 503) {
          sendProviderPage(
            ctx,
            503,
            signInPage({
              title: 'Sign-in is not available',
              message: 'Sign-in is briefly unavailable. Please try again shortly.',
            }),
          );
          return;
        }
        sendProviderPage(
          ctx,
          ctx.status >= 400 ? ctx.status : 400,
          signInPage({
            title: errorPageTitle(ctx.oidc?.route),
            message: `${out.error}: ${out.error_description ?? ''}`.trim(),
          }),
        );
      },
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        revocation: { enabled: true },
        userinfo: { enabled: true },
        backchannelLogout: { enabled: true },
        rpInitiatedLogout: {
          enabled: true,
          logoutSource: (ctx, form) => {
            const confirmed = form.replace('</form>', '<input type="hidden" name="logout" value="yes"/></form>');
            const product = ctx.oidc.client?.clientName;
            sendProviderPage(
              ctx,
              200,
              providerPage(
                'Sign out',
                `<p>Sign out${product ? ` of ${escapeHtml(product)}` : ''} and every product you signed in to here?</p>` +
                  `${confirmed}<button id="sign-out" type="submit" form="op.logoutForm">Sign out</button>`,
              ),
            );
          },
          postLogoutSuccessSource: (ctx) => {
            sendProviderPage(
              ctx,
              200,
              signInPage({ title: 'Signed out', message: 'You are signed out. You can close this window.' }),
            );
          },
        },
        resourceIndicators: {
          enabled: true,
          // Client credentials are for the products API: no `resource` needed. Sign-in tokens stay for userinfo.
          defaultResource: (ctx, _client, oneOf) =>
            oneOf ?? (ctx.oidc.params?.grant_type === 'client_credentials' ? this.apiAudience : undefined),
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx, indicator, client): ResourceServer => {
            if (indicator !== this.apiAudience || !client.grantTypeAllowed('client_credentials')) {
              throw new errors.InvalidTarget();
            }
            return {
              scope: PRODUCTS_API_SCOPES.join(' '),
              audience: this.apiAudience,
              accessTokenTTL: TTL.ClientCredentials,
              accessTokenFormat: 'jwt',
              jwt: { sign: { alg: 'ES256' } },
            };
          },
        },
      },
      ttl: TTL,
    };
  }

  /**
   * Whether the gateway session may stand for the provider's: it is live, its
   * user is the session's account, it is of the organization asked for, and the
   * product serves its tenant. Otherwise the interaction decides.
   */
  private async sessionServes(ctx: KoaContextWithOIDC): Promise<boolean> {
    const current = await this.gatewaySignIn(ctx);
    if (!current || current.user.id !== ctx.oidc.session?.accountId) return false;
    const organization = ctx.oidc.params?.organization;
    if (typeof organization === 'string' && organization !== current.user.tenantSlug) return false;
    const tenants = ctx.oidc.client?.['tenants'] as string[] | undefined;
    return tenants !== undefined && clientServesTenant({ tenants }, current.user.tenantSlug);
  }

  /** First-party products: no consent page; the grant holds what the product asked for. */
  private async firstPartyGrant(ctx: KoaContextWithOIDC) {
    const { oidc } = ctx;
    const clientId = oidc.client!.clientId;
    const accountId = oidc.session!.accountId!;
    const grantId = oidc.result?.consent?.grantId ?? oidc.session!.grantIdFor(clientId);
    const existing = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
    const grant =
      existing && existing.accountId === accountId ? existing : new oidc.provider.Grant({ clientId, accountId });
    grant.addOIDCScope(oidc.requestParamOIDCScopes);
    if (oidc.requestParamClaims.size > 0) grant.addOIDCClaims(oidc.requestParamClaims);
    for (const [indicator, server] of Object.entries(oidc.resourceServers ?? {})) {
      grant.addResourceScope(indicator, server.scope);
    }
    await grant.save();
    return grant;
  }

  /** Clients come from PostgreSQL, read at each use, so a change or a new secret applies at once on every replica. */
  private clientAdapter() {
    const unsupported = () => Promise.reject(new Error('clients are managed through /admin/v1/clients'));
    return {
      find: async (id: string): Promise<AdapterPayload | undefined> => {
        const client = await this.whileDatabaseAnswers(this.clients.find(id));
        return client ? this.clientMetadata(client) : undefined;
      },
      upsert: unsupported,
      findByUid: unsupported,
      findByUserCode: unsupported,
      consume: unsupported,
      destroy: unsupported,
      revokeByGrantId: unsupported,
    };
  }

  private clientMetadata(client: ProductClientRow): ClientMetadata {
    const secret = this.clients.secretOf(client);
    const apiScopes = client.grantTypes.includes('client_credentials') ? PRODUCTS_API_SCOPES : [];
    return {
      client_id: client.clientId,
      client_name: client.name,
      ...(secret === undefined
        ? { token_endpoint_auth_method: 'none' }
        : { client_secret: secret, token_endpoint_auth_method: this.authMethod.getStore() ?? 'client_secret_basic' }),
      grant_types: client.grantTypes,
      response_types: client.grantTypes.includes('authorization_code') ? ['code'] : [],
      redirect_uris: client.redirectUris,
      post_logout_redirect_uris: client.postLogoutRedirectUris,
      scope: [...PRODUCT_SIGN_IN_SCOPES, ...apiScopes].join(' '),
      // With a back-channel logout URI the ID token carries `sid`. The tokens themselves go out
      // through the worker's retried jobs (ProductSessions), not from the provider's request.
      ...(client.backchannelLogoutUri
        ? { backchannel_logout_uri: client.backchannelLogoutUri, backchannel_logout_session_required: true }
        : {}),
      tenants: client.tenants,
    };
  }

  /**
   * What the gateway adds to the provider's own work: a code issued binds the
   * product's session to the gateway session it rests on; a confirmed logout
   * ends the gateway session too (and so, through SessionEndings, every
   * product's session of it).
   */
  private async afterRequest(ctx: KoaContextWithOIDC): Promise<void> {
    const oidc = ctx.oidc as KoaContextWithOIDC['oidc'] | undefined;
    if (!oidc) return;
    if ((oidc.route === 'authorization' || oidc.route === 'resume') && oidc.entities.AuthorizationCode) {
      const clientId = oidc.client?.clientId;
      const sub = oidc.session?.accountId;
      const current = await this.gatewaySignIn(ctx);
      if (!clientId || !sub || !current || current.user.id !== sub) return;
      await this.productSessions.bind(current.session, {
        clientId,
        sub,
        sid: oidc.session.sidFor(clientId) ?? '',
        grantId: oidc.session.grantIdFor(clientId),
        providerSession: oidc.session.uid,
      });
      return;
    }
    if (oidc.route === 'end_session_confirm' && ctx.status === 303 && oidc.params?.logout) {
      await this.endGatewaySession(ctx, oidc.entities.Session?.accountId);
    }
  }

  /**
   * A confirmed logout ends the gateway session in this browser, if it is the
   * provider session's person's. The cookie may hold another person's: the
   * provider confirms a logout of the previous account when someone else signs
   * in, and that is no logout of the one signing in.
   */
  private async endGatewaySession(ctx: KoaContextWithOIDC, accountId: string | undefined): Promise<void> {
    const token = ctx.cookies.get(this.cookies.session, { signed: false });
    if (!token) return;
    const current = await this.gatewaySignIn(ctx);
    if (current && accountId !== undefined && current.user.id !== accountId) return;
    if (current) await this.signOut.signOut(token);
    const { path, httpOnly, sameSite, secure } = this.cookies.options();
    ctx.cookies.set(this.cookies.session, null, {
      path,
      httpOnly,
      sameSite,
      secure: secure === true,
      signed: false,
    });
  }

  /**
   * A product's client authentication that failed (a wrong secret: `401 invalid_client` at the token,
   * revocation or PAR endpoint; introspection, when enabled, too) counts against the client address's failed
   * authentications, as wrong SCIM and admin tokens do; past the limit the answer is 429 with
   * Retry-After. Only failures count, so a product with its right secret is never refused for them.
   * The address is the connection's (with TRUST_PROXY_HOPS, read as RateLimits reads it), never the
   * provider's own proxy reading of X-Forwarded-For.
   */
  private async countFailedClientAuthentication(ctx: KoaContextWithOIDC): Promise<void> {
    const route = (ctx.oidc as KoaContextWithOIDC['oidc'] | undefined)?.route;
    if (ctx.status !== 401 || route === undefined || !CLIENT_AUTHENTICATING_ROUTES.has(route)) return;
    const verdict = await this.limits.failedAuthentication({
      ip: ctx.req.socket.remoteAddress ?? '',
      headers: ctx.req.headers,
    });
    if (verdict.allowed) return;
    ctx.remove('www-authenticate');
    ctx.set('retry-after', String(retryAfterSecondsOf(verdict.retryAfterMs)));
    ctx.status = 429;
    ctx.body = {
      error: 'invalid_client',
      error_description: 'too many failed authentications from this address; retry later',
    };
  }

  /**
   * The gateway's own reads inside the provider (clients, accounts, the gateway session): PostgreSQL
   * away or too slow is answered `503 temporarily_unavailable` (with Retry-After, above), an error
   * the provider shows as it is and logs as a refusal, not as its `server_error` with a stack. At
   * the authorization endpoint, once the client and its redirect URI are known, the product gets
   * `error=temporarily_unavailable`, as OAuth 2.0 (RFC 6749, 4.1.2.1) has it.
   */
  private whileDatabaseAnswers<T>(work: Promise<T>): Promise<T> {
    return work.catch((error: unknown) => {
      const database = databaseFailure(error);
      if (database === undefined) throw error;
      this.logger.warn(
        { reason: database },
        database === 'timeout' ? 'a provider request ran out of database time' : 'the database is unavailable',
      );
      const unavailable = new this.module!.errors.TemporarilyUnavailable(
        'the service is briefly unavailable; try again shortly',
      );
      // Its class says 400; this is the server's outage, said as it is and shown to the caller.
      throw Object.assign(unavailable, { status: 503, statusCode: 503, expose: true });
    });
  }

  private listen(provider: Provider): void {
    provider.on('server_error', (_ctx, error) => this.logger.error({ err: error }, 'provider error'));
  }
}

/** The provider's endpoints where a product authenticates with its secret (a 401 there is `invalid_client`). */
const CLIENT_AUTHENTICATING_ROUTES = new Set(['token', 'introspection', 'revocation', 'pushed_authorization_request']);

/** A form POST to the token endpoint. */
function isTokenRequest(req: IncomingMessage): boolean {
  return (
    req.method === 'POST' &&
    new URL(req.url ?? '/', 'http://gateway').pathname === PROVIDER_ROUTES.token &&
    /^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '')
  );
}

/** The provider's own limit on a request body. */
const TOKEN_BODY_LIMIT = 56 * 1024;

/**
 * A client-credentials request that names no scope gets the products API's
 * scopes (those its client may have): what a product with this grant is for.
 * oidc-provider reads the body itself, so the request is handed on as a copy
 * that replays the (possibly completed) form.
 */
async function withProductsApiScope(req: IncomingMessage): Promise<IncomingMessage> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > TOKEN_BODY_LIMIT) break;
    chunks.push(chunk as Buffer);
  }
  let body = Buffer.concat(chunks);
  if (size <= TOKEN_BODY_LIMIT) {
    const form = new URLSearchParams(body.toString('utf8'));
    if (form.get('grant_type') === 'client_credentials' && !form.has('scope')) {
      form.set('scope', PRODUCTS_API_SCOPES.join(' '));
      body = Buffer.from(form.toString());
    }
  }
  const replay = Readable.from([body]) as Readable & Partial<IncomingMessage>;
  return Object.assign(replay, {
    method: req.method,
    url: req.url,
    // Past the limit the original length stays, and the provider refuses the body as too large.
    headers: size > TOKEN_BODY_LIMIT ? req.headers : { ...req.headers, 'content-length': String(body.length) },
    rawHeaders: req.rawHeaders,
    httpVersion: req.httpVersion,
    httpVersionMajor: req.httpVersionMajor,
    httpVersionMinor: req.httpVersionMinor,
    socket: req.socket,
    connection: req.socket,
    complete: true,
  }) as unknown as IncomingMessage;
}

/** The provider's cookie-signing key, derived from SECRETS_KEY, so every replica signs alike. */
function cookieKey(secretsKey: Buffer): string {
  return Buffer.from(hkdfSync('sha256', secretsKey, Buffer.alloc(0), 'gateway openid-provider cookies', 32)).toString(
    'base64url',
  );
}

/**
 * Loads oidc-provider without its notice that Node.js 22 is preferred: the
 * gateway supports Node.js ≥ 20.19, where it works, and the notice is noise in the logs.
 */
async function importQuietly(): Promise<OidcProviderModule> {
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
