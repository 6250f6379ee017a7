import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { IdentityError, TenantEntity, TenantsService } from '@app/identity';
import type { OidcConnection } from '@app/identity/oidc-connections/oidc-connection';
import { OidcConnectionsService } from '@app/identity/oidc-connections/oidc-connections.service';
import { needsUserinfo, signInClaims, type SignInClaims } from '@app/identity/sign-in/sign-in-claims';
import { SignInRefused } from '@app/identity/sign-in/sign-in-refused';
import { SignInService } from '@app/identity/sign-in/sign-in.service';
import { APP_CONFIG, ResolvedConfig } from '@app/platform';
import * as oidc from 'openid-client';
import { isGatewayPage } from '../portal/portal-pages';
import { isInteractionUrl } from '../provider/provider-routes';
import { SessionStore } from '../sessions/session-store';
import { OidcClients, type TenantClient } from './oidc-clients';
import { SignInAttempts } from './sign-in-attempts';
import { SignInError } from './sign-in-error';
import { TestSignIns, testFailureReason } from './test-sign-ins';
import { CHECKS_KEY, type SignInRequest } from './sign-in-request';

/** What /auth/login is asked for. */
export interface SignInStart {
  readonly tenant?: string;
  readonly loginHint?: string;
  readonly returnTo?: string;
  /** The Host header, whose subdomain may name the tenant. */
  readonly host?: string;
  /** The secret of a test sign-in's start link (setup portal). */
  readonly test?: string;
}

/** A finished sign-in: the session cookie's token and where the browser goes next. */
export interface CompletedSignIn {
  readonly sessionToken: string;
  readonly returnTo: string;
}

/**
 * The sign-in flow around passport: which tenant and IdP a request is for,
 * keeping the attempt between login and callback, and turning the IdP's
 * tokens into a user and a session.
 */
@Injectable()
export class SignInFlow {
  private readonly logger = new Logger(SignInFlow.name);
  private readonly publicHost: string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
    private readonly tenants: TenantsService,
    private readonly connections: OidcConnectionsService,
    private readonly clients: OidcClients,
    private readonly attempts: SignInAttempts,
    private readonly signIns: SignInService,
    private readonly sessions: SessionStore,
    private readonly tests: TestSignIns,
  ) {
    this.publicHost = new URL(config.publicUrl).hostname.toLowerCase();
  }

  /** Readies a /auth/login request for the strategy: tenant, IdP client, return URL. */
  async prepareStart(request: SignInRequest, start: SignInStart): Promise<void> {
    if (start.test !== undefined) return this.prepareTestStart(request, start.test);
    const tenant = await this.tenantOf(start);
    const connection = await this.connectionOf(tenant);
    const returnTo = this.returnTo(connection, start.returnTo);
    request.signIn = {
      step: 'start',
      client: await this.clientOf(connection),
      connection,
      attempt: { tenantId: tenant.id, tenantSlug: tenant.slug, connectionVersion: connection.version, returnTo },
    };
    request.session = {};
  }

  /**
   * Readies a test sign-in of the tenant's saved connection: the normal way to the IdP and
   * back to /auth/callback, which recognises the attempt by its test id. A failure before
   * the IdP (no connection, IdP unreachable) is the test's result as well.
   */
  private async prepareTestStart(request: SignInRequest, secret: string): Promise<void> {
    const test = await this.tests.takeStart(secret);
    request.testSignIn = test;
    try {
      const tenant = await this.tenants.findById(test.tenantId);
      if (!tenant) throw SignInError.notFound('This organization was removed.');
      const connection = await this.connectionOf(tenant);
      request.signIn = {
        step: 'start',
        client: await this.clientOf(connection),
        connection,
        attempt: {
          tenantId: tenant.id,
          tenantSlug: tenant.slug,
          connectionVersion: connection.version,
          returnTo: this.config.publicUrl,
          testSignIn: test.id,
        },
      };
      request.session = {};
    } catch (error) {
      await this.tests.failed(test, testFailureReason(error));
      throw error;
    }
  }

  /** Keeps the attempt the strategy started; the token is for the browser's cookie. */
  async begin(request: SignInRequest): Promise<{ state: string; attemptToken: string; authorizationUrl: string }> {
    const checks = request.session?.[CHECKS_KEY];
    const authorizationUrl = request.signIn?.authorizationUrl;
    if (!request.signIn || !checks?.state || !authorizationUrl) throw new Error('the sign-in strategy did not start');
    const attemptToken = await this.attempts.start({ ...request.signIn.attempt, checks });
    return { state: checks.state, attemptToken, authorizationUrl };
  }

  /** Readies a /auth/callback request: the attempt this browser started, and its tenant's IdP client. */
  async prepareCallback(request: SignInRequest, attemptToken: string | undefined): Promise<void> {
    const attempt = await this.attempts.take(attemptToken);
    if (!attempt) {
      throw SignInError.badRequest(
        'This sign-in has expired, was already completed, or was started in another browser. Please sign in again.',
      );
    }
    if (attempt.testSignIn) request.testSignIn = { tenantId: attempt.tenantId, id: attempt.testSignIn };
    const connection = await this.openConnection(attempt.tenantId);
    if (!connection || connection.version !== attempt.connectionVersion) {
      throw SignInError.badRequest('Sign-in settings changed while you were signing in. Please sign in again.');
    }
    const { checks, ...rest } = attempt;
    request.signIn = { step: 'callback', client: await this.clientOf(connection), connection, attempt: rest };
    request.session = { [CHECKS_KEY]: checks };
  }

  /**
   * Turns the IdP's checked tokens into a user and a session. A session the
   * browser held before ends: one browser, one session, and never a session id
   * carried over from before sign-in.
   */
  async complete(
    request: SignInRequest,
    tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers,
    previousSessionToken: string | undefined,
  ): Promise<CompletedSignIn> {
    const signIn = request.signIn;
    const idToken = tokens.claims();
    if (!signIn || !idToken || !tokens.id_token)
      throw SignInError.badRequest('Your identity provider sent no ID token.');
    const tenant = await this.tenants.findById(signIn.attempt.tenantId);
    if (!tenant) throw SignInError.notFound('This organization was removed while you were signing in.');
    const claims = await this.claimsOf(signIn.client, signIn.connection, tokens, idToken);
    const sessionId = randomUUID();
    try {
      const { userId } = await this.signIns.signIn(tenant, claims, sessionId);
      const ref = { id: tenant.id, slug: tenant.slug };
      const { token, session } = await this.sessions
        .create({ tenantId: tenant.id, tenantSlug: tenant.slug, userId, idToken: tokens.id_token }, sessionId)
        .catch(async (error: unknown) => {
          // user.signed_in is recorded; say the session it announced is over, since it never began.
          await this.signIns.signedOut(ref, userId, sessionId).catch(() => undefined);
          throw error;
        });
      const previous = await this.sessions.end(previousSessionToken, 'replaced', session);
      if (previous) {
        await this.signIns.signedOut(
          { id: previous.tenantId, slug: previous.tenantSlug },
          previous.userId,
          previous.id,
        );
      }
      return { sessionToken: token, returnTo: signIn.attempt.returnTo };
    } catch (error) {
      if (error instanceof SignInRefused) throw SignInError.refused(error.message);
      throw error;
    }
  }

  /**
   * Ends a test sign-in: the claims the IdP sent (ID token, completed from userinfo), kept
   * as the test's result. No user is linked or created, no session starts, no event is written.
   */
  async completeTest(
    request: SignInRequest,
    tokens: (oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers) | undefined,
  ): Promise<{ id: string; claims?: Record<string, unknown>; error?: string }> {
    const test = request.testSignIn;
    if (!test) throw new Error('not a test sign-in');
    const idToken = request.testSignInError === undefined ? tokens?.claims() : undefined;
    if (!request.signIn || !tokens || !idToken) {
      const error =
        request.testSignInError !== undefined
          ? testFailureReason(request.testSignInError)
          : 'Your identity provider sent no ID token.';
      await this.tests.failed(test, error);
      return { id: test.id, error };
    }
    let userinfo: oidc.UserInfoResponse | undefined;
    if (request.signIn.client.configuration.serverMetadata().userinfo_endpoint) {
      // As at a real sign-in, a userinfo failure is not fatal: the ID token's claims are shown.
      userinfo = await oidc
        .fetchUserInfo(request.signIn.client.configuration, tokens.access_token, idToken.sub)
        .catch(() => undefined);
    }
    const claims: Record<string, unknown> = { ...idToken, ...userinfo };
    await this.tests.succeeded(test, claims);
    return { id: test.id, claims };
  }

  /** The tenant a /auth/login names: by slug, or by the login hint's email domain. */
  private async tenantOf(start: SignInStart): Promise<TenantEntity> {
    if (start.tenant) {
      // Slugs are lowercase; a link typed as ?tenant=Acme means the same tenant.
      return this.tenants.get(start.tenant.trim().toLowerCase()).catch((error: unknown) => {
        if (error instanceof IdentityError && error.code === 'not_found') {
          throw SignInError.notFound(`No organization is called "${start.tenant}".`);
        }
        throw error;
      });
    }
    if (start.loginHint) {
      const domain = /^[^@\s]+@([^@\s]+)$/.exec(start.loginHint.trim())?.[1]?.toLowerCase();
      if (!domain)
        throw SignInError.badRequest(`"${start.loginHint}" is not an email address: sign in with your work email.`);
      const tenant = await this.tenants.findByDomain(domain);
      if (!tenant) throw SignInError.unknownEmailDomain(domain);
      return tenant;
    }
    throw SignInError.badRequest('Say which organization to sign in to: ?tenant=, or ?login_hint= with your email.');
  }

  /**
   * For a login on a tenant's subdomain (`acme.<PUBLIC_URL's host>`) that names
   * no tenant, the same login on PUBLIC_URL: the IdP returns to PUBLIC_URL, where
   * the attempt's cookie must have been set.
   */
  canonicalLogin(start: SignInStart): string | undefined {
    if (start.tenant || start.loginHint || start.test !== undefined) return undefined;
    const slug = this.subdomainOf(start.host);
    if (!slug) return undefined;
    const url = new URL('/auth/login', this.config.publicUrl);
    url.searchParams.set('tenant', slug);
    if (start.returnTo) url.searchParams.set('return_to', start.returnTo);
    return url.href;
  }

  /** `acme` for `acme.<PUBLIC_URL's host>`. */
  private subdomainOf(host: string | undefined): string | undefined {
    const hostname = host?.replace(/:\d+$/, '').toLowerCase();
    if (!hostname?.endsWith(`.${this.publicHost}`)) return undefined;
    const label = hostname.slice(0, -this.publicHost.length - 1);
    return label.includes('.') ? undefined : label;
  }

  private async connectionOf(tenant: TenantEntity): Promise<OidcConnection> {
    const connection = await this.openConnection(tenant.id);
    if (!connection) throw SignInError.notConfigured(tenant);
    return connection;
  }

  /** The connection with its secret; one whose secret does not open is the operator's to repair, said plainly. */
  private async openConnection(tenantId: string): Promise<OidcConnection | undefined> {
    try {
      return await this.connections.forTenant(tenantId);
    } catch (error) {
      if (!(error instanceof IdentityError)) throw error;
      throw SignInError.misconfigured(error);
    }
  }

  /** `return_to` must be one of the tenant's allowed URLs, compared exactly: never a redirect elsewhere. */
  private returnTo(connection: OidcConnection, requested: string | undefined): string {
    if (requested === undefined || requested === '') {
      return connection.allowedReturnUrls[0] ?? `${this.config.publicUrl}/auth/me`;
    }
    // A product's sign-in comes back to its interaction page on this gateway.
    if (isInteractionUrl(requested, this.config.publicUrl)) return requested;
    // A tenant admin or an operator signing in to the setup portal or the console.
    if (isGatewayPage(requested, this.config.publicUrl)) return requested;
    const normalized = normalizeUrl(requested);
    const allowed = connection.allowedReturnUrls.find((url) => normalizeUrl(url) === normalized);
    if (!allowed)
      throw SignInError.badRequest('The page to return to after sign-in is not one this organization allows.');
    return allowed;
  }

  private async clientOf(connection: OidcConnection): Promise<TenantClient> {
    try {
      return await this.clients.clientFor(connection);
    } catch (error) {
      throw SignInError.providerUnavailable(
        'Your identity provider could not be reached, or its settings are not valid. Please try again later.',
        error,
      );
    }
  }

  /** The ID token's claims, completed from userinfo when the ID token is thin (Okta's code flow). */
  private async claimsOf(
    client: TenantClient,
    connection: OidcConnection,
    tokens: oidc.TokenEndpointResponse,
    idToken: oidc.IDToken,
  ): Promise<SignInClaims> {
    let userinfo: oidc.UserInfoResponse | undefined;
    if (needsUserinfo(idToken, connection) && client.configuration.serverMetadata().userinfo_endpoint) {
      try {
        userinfo = await oidc.fetchUserInfo(client.configuration, tokens.access_token, idToken.sub);
      } catch (error) {
        // The ID token alone still identifies the person; a profile gap is better than no sign-in.
        this.logger.warn({ err: error, tenantId: connection.tenantId }, 'userinfo request failed');
      }
    }
    return signInClaims(idToken.iss, idToken, userinfo, connection);
  }
}

function normalizeUrl(url: string): string | undefined {
  try {
    return new URL(url).href;
  } catch {
    return undefined;
  }
}
