import { Inject, Injectable, Logger } from '@nestjs/common';
import { TenantEntity, TenantsService } from '@app/identity';
import { clientServesTenant } from '@app/identity/product-clients/product-client.row';
import { ProductClientsService } from '@app/identity/product-clients/product-clients.service';
import { APP_CONFIG, REDIS, ResolvedConfig } from '@app/platform';
import type { Redis } from 'ioredis';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Interaction, InteractionResults } from 'oidc-provider';
import { CurrentUser, SessionUsers } from '../sessions/session-users';
import { PAGE_HEADERS, signInPage } from '../sign-in/sign-in-page';
import { ProductProvider } from './product-provider';
import { ProductSignInFailures } from './product-sign-in-failures';
import { emailPage } from './provider-pages';
import { ProviderSessions } from './provider-sessions';
import { interactionPath } from './provider-routes';

/** The email's domain, lowercased; undefined for something that is not an email. */
export function emailDomain(email: string): string | undefined {
  return /^[^@\s]+@([^@\s]+\.[^@\s]+)$/.exec(email.trim())?.[1]?.toLowerCase();
}

/** Whether the provider asks for a new authentication: `prompt=login`, or a `max_age` the session exceeds. */
export function asksForFreshSignIn(details: Pick<Interaction, 'prompt'>): boolean {
  return details.prompt.reasons.includes('login_prompt') || details.prompt.reasons.includes('max_age');
}

type TenantChoice =
  | { readonly tenant: TenantEntity; readonly loginHint?: string }
  | { readonly ask: string | undefined }
  | { readonly page: { status: number; title: string; message: string } };

/**
 * The sign-in interaction of a product: picks the tenant (`organization`,
 * `login_hint`'s domain, the session the browser has, or the email page),
 * checks that the product serves it, then finishes at once with the gateway
 * session of that tenant (SSO), or sends the browser through the tenant's IdP
 * first, back to this same page. No consent page: the products are first-party.
 */
@Injectable()
export class InteractionFlow {
  private readonly logger = new Logger(InteractionFlow.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly provider: ProductProvider,
    private readonly clients: ProductClientsService,
    private readonly tenants: TenantsService,
    private readonly sessionUsers: SessionUsers,
    private readonly failures: ProductSignInFailures,
    private readonly providerSessions: ProviderSessions,
  ) {}

  async step(request: FastifyRequest, reply: FastifyReply, uid: string, email: string | undefined): Promise<void> {
    const provider = await this.provider.provider();
    const details = await provider.interactionDetails(request.raw, reply.raw).catch(() => undefined);
    if (!details || details.uid !== uid) {
      return this.page(
        reply,
        400,
        'Sign-in expired',
        'This sign-in has expired or was started in another browser. Go back to the product and sign in again.',
      );
    }
    const client = await this.clients.find(String(details.params.client_id));
    if (!client)
      return this.finish(request, reply, details, {
        error: 'invalid_client',
        error_description: 'the product is no longer registered',
      });

    const current = await this.sessionUsers.current(request);
    const choice = await this.chooseTenant(details.params, current, email);
    if ('page' in choice) return this.page(reply, choice.page.status, choice.page.title, choice.page.message);
    if ('ask' in choice) {
      void reply
        .status(200)
        .headers(PAGE_HEADERS)
        .send(emailPage(interactionPath(uid), client.name, choice.ask));
      return;
    }
    const { tenant } = choice;
    if (!clientServesTenant(client, tenant.slug)) {
      this.logger.log({ clientId: client.clientId, tenant: tenant.slug }, 'provider.sign_in.refused tenant not served');
      const refusal = {
        error: 'access_denied',
        error_description: `users of ${tenant.name} may not sign in to ${client.name}`,
      };
      this.failures.record(request, {
        tenantId: tenant.id,
        clientId: client.clientId,
        status: 403,
        reason: refusal.error_description,
        detail: refusal.error,
      });
      return this.finish(request, reply, details, refusal);
    }
    if (current && current.user.tenantId === tenant.id && !(await this.needsFreshSignIn(details, current))) {
      return this.signedIn(request, reply, current, details);
    }
    if (asksForFreshSignIn(details)) await this.redis.set(this.freshKey(uid), String(Date.now()), 'EX', 3600);
    return reply.redirect(this.tenantSignIn(uid, tenant, choice.loginHint), 302);
  }

  /**
   * A new authentication was asked for: only a gateway session begun after this interaction sent the
   * browser to the IdP counts, so the person signs in again once, and the interaction cannot loop.
   */
  private async needsFreshSignIn(details: Interaction, current: CurrentUser): Promise<boolean> {
    if (!asksForFreshSignIn(details)) return false;
    const sentAt = await this.redis.get(this.freshKey(details.uid));
    return sentAt === null || current.session.createdAt < Number(sentAt);
  }

  private freshKey(uid: string): string {
    return `${this.config.redisPrefix}:op-fresh-sign-in:{${uid}}`;
  }

  /** The gateway session stands for the sign-in: the provider's login (and, if it asks, the grant) from it. */
  private async signedIn(
    request: FastifyRequest,
    reply: FastifyReply,
    current: CurrentUser,
    details: Interaction,
  ): Promise<void> {
    const result: InteractionResults = {
      login: { accountId: current.user.id, ts: Math.floor(current.session.createdAt / 1000), amr: ['fed'] },
    };
    if (details.prompt.name === 'consent') {
      // The grant is filled by loadExistingGrant; an empty consent result lets it be.
      result.consent = {};
    }
    return this.finish(request, reply, details, result);
  }

  /**
   * The sign-in began in a provider session of `recorded.accountId`. If someone else signed in, that
   * session ends: the provider would otherwise ask to log its person out, and the answer would read as a
   * logout of the one signing in. Once the session is no longer that person's (ended here, or with their
   * gateway session meanwhile), the interaction lets go of it, as oidc-provider does itself on an account
   * switch; else it refuses to finish ("session not found").
   */
  private async settleProviderSession(details: Interaction, userId: string | undefined): Promise<void> {
    const recorded = details.session;
    if (!recorded?.uid) return;
    if (userId !== undefined && recorded.accountId !== userId) {
      await this.providerSessions.end(recorded.uid, recorded.accountId);
    } else if (await this.providerSessions.isOf(recorded.uid, recorded.accountId)) return;
    delete (recorded as Partial<typeof recorded>).uid;
    await details.save(Math.max(details.exp - Math.floor(Date.now() / 1000), 1));
  }

  private async chooseTenant(
    params: Record<string, unknown>,
    current: CurrentUser | undefined,
    email: string | undefined,
  ): Promise<TenantChoice> {
    const organization = typeof params.organization === 'string' ? params.organization : undefined;
    if (organization) {
      const tenant = await this.tenants.get(organization).catch(() => undefined);
      if (!tenant)
        return {
          page: { status: 404, title: 'Unknown organization', message: `No organization is called "${organization}".` },
        };
      return { tenant };
    }
    const hint = email ?? (typeof params.login_hint === 'string' ? params.login_hint : undefined);
    if (hint) {
      const domain = emailDomain(hint);
      if (!domain) return { ask: 'Please enter a work email address, such as you@company.com.' };
      const tenant = await this.tenants.findByDomain(domain);
      if (!tenant) return { ask: `No organization signs in people with the address ${hint.trim()}.` };
      return { tenant, loginHint: hint.trim() };
    }
    if (current) {
      const tenant = await this.tenants.findById(current.user.tenantId);
      if (tenant) return { tenant };
    }
    return { ask: undefined };
  }

  /** Today's sign-in through the tenant's IdP, coming back to this interaction. */
  private tenantSignIn(uid: string, tenant: TenantEntity, loginHint: string | undefined): string {
    const url = new URL('/auth/login', this.config.publicUrl);
    url.searchParams.set('tenant', tenant.slug);
    url.searchParams.set('return_to', new URL(interactionPath(uid), this.config.publicUrl).href);
    if (loginHint) url.searchParams.set('login_hint', loginHint);
    return url.href;
  }

  private async finish(
    request: FastifyRequest,
    reply: FastifyReply,
    details: Interaction,
    result: InteractionResults,
  ): Promise<void> {
    await this.settleProviderSession(details, result.login?.accountId);
    const provider = await this.provider.provider();
    const next = await provider.interactionResult(request.raw, reply.raw, result, { mergeWithLastSubmission: false });
    void reply.header('cache-control', 'no-store');
    return reply.redirect(next, 303);
  }

  private page(reply: FastifyReply, status: number, title: string, message: string): void {
    void reply.status(status).headers(PAGE_HEADERS).send(signInPage({ title, message }));
  }
}
