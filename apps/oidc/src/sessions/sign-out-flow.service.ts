import { Inject, Injectable } from '@nestjs/common';
import { tenantSetup } from '@app/identity';
import { OidcConnectionsService } from '@app/identity/oidc-connections/oidc-connections.service';
import { SignInService } from '@app/identity/sign-in/sign-in.service';
import { APP_CONFIG, ResolvedConfig } from '@app/platform';
import * as oidc from 'openid-client';
import { OidcClients } from '../sign-in/oidc-clients';
import { SignInMetrics } from '../sign-in/sign-in.metrics';
import type { Session } from './session';
import { SessionStore } from './session-store';

/**
 * Ends sessions and says where the browser goes next: to the IdP's
 * end-session endpoint (RP-Initiated Logout), so the IdP's session ends too,
 * and from there back to the tenant's post-logout URL.
 */
@Injectable()
export class SignOutFlow {
  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
    private readonly sessions: SessionStore,
    private readonly signIns: SignInService,
    private readonly connections: OidcConnectionsService,
    private readonly clients: OidcClients,
    private readonly metrics: SignInMetrics,
  ) {}

  /** Ends the session the cookie names; where to send the browser, or undefined when there was none. */
  async signOut(sessionToken: string | undefined): Promise<string | undefined> {
    const session = await this.sessions.end(sessionToken);
    if (!session) return undefined;
    this.metrics.sessionsEndedBy('logout');
    await this.signIns.signedOut({ id: session.tenantId, slug: session.tenantSlug }, session.userId, session.id);
    return this.afterSignOut(session);
  }

  /** Where the IdP's signed-out browser goes on to: the tenant's post-logout URL, if it has one. */
  async postLogoutUrl(slug: string): Promise<string | undefined> {
    const connection = await this.connections.get(slug).catch(() => undefined);
    return connection?.postLogoutRedirectUri ?? undefined;
  }

  /** The IdP's end-session URL when it has one (its own session ends too); else the tenant's post-logout URL. */
  private async afterSignOut(session: Session): Promise<string> {
    const backHere = tenantSetup(session.tenantSlug, this.config).signOutRedirectUri;
    const connection = await this.connections.forTenant(session.tenantId).catch(() => undefined);
    const client = connection && (await this.clients.clientFor(connection).catch(() => undefined));
    if (client?.configuration.serverMetadata().end_session_endpoint) {
      const idTokenHint = this.sessions.idTokenOf(session);
      return oidc.buildEndSessionUrl(client.configuration, {
        ...(idTokenHint ? { id_token_hint: idTokenHint } : {}),
        post_logout_redirect_uri: backHere,
      }).href;
    }
    return connection?.postLogoutRedirectUri ?? backHere;
  }
}
