import { Inject, Injectable } from '@nestjs/common';
import { IssuerDiscovery } from '@app/identity/oidc-connections/issuer-discovery';
import type { OidcConnection } from '@app/identity/oidc-connections/oidc-connection';
import { OidcConnectionsService } from '@app/identity/oidc-connections/oidc-connections.service';
import { APP_CONFIG, ResolvedConfig } from '@app/platform';
import type * as oidc from 'openid-client';
import { CHECKS_KEY } from './sign-in-request';
import { TenantCodeFlowStrategy } from './tenant-code-flow.strategy';

/**
 * How long a failed first pin of an older connection (see OidcConnectionsService.pin) is kept:
 * visitors meanwhile get the failure, not a fetch of their own.
 */
const FAILED_PIN_KEPT_MS = 60_000;

/** A tenant's relying-party setup: the openid-client configuration and the passport strategy over it. */
export interface TenantClient {
  readonly configuration: oidc.Configuration;
  readonly strategy: TenantCodeFlowStrategy;
}

interface CacheEntry {
  readonly version: number;
  readonly client: Promise<TenantClient>;
  /** When a failed pin stops being kept (see FAILED_PIN_KEPT_MS); undefined while it has not failed. */
  failedUntil?: number;
}

/**
 * Each tenant's openid-client configuration, built from the discovery document
 * stored (pinned) with its connection: sign-in sends no request for the document,
 * so what the operator's save checked is what a visitor's sign-in uses. An entry
 * is replaced when the connection's version changes (a save or a refresh).
 */
@Injectable()
export class OidcClients {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly discovery: IssuerDiscovery,
    private readonly connections: OidcConnectionsService,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  /** The tenant's client for this version of its connection; a failure is kept a minute, then tried again. */
  clientFor(connection: OidcConnection): Promise<TenantClient> {
    const cached = this.cache.get(connection.tenantId);
    if (
      cached &&
      cached.version === connection.version &&
      (cached.failedUntil === undefined || Date.now() < cached.failedUntil)
    ) {
      return cached.client;
    }
    const client = this.build(connection);
    const entry: CacheEntry = { version: connection.version, client };
    this.cache.set(connection.tenantId, entry);
    client.catch(() => {
      entry.failedUntil = Date.now() + FAILED_PIN_KEPT_MS;
    });
    return client;
  }

  /** The redirect URI registered at every tenant's IdP: built from PUBLIC_URL, never from a request. */
  get callbackUrl(): string {
    return `${this.config.publicUrl}/auth/callback`;
  }

  private async build(connection: OidcConnection): Promise<TenantClient> {
    // Only an older connection has no document yet: it is pinned once, here (see OidcConnectionsService.pin).
    const metadata = connection.serverMetadata ?? (await this.connections.pin(connection));
    // Once per version and replica, no request to the IdP: the addresses as the rules stand now.
    await this.discovery.assertStillPublic(metadata);
    const configuration = this.discovery.fromMetadata(connection, metadata);
    const strategy = new TenantCodeFlowStrategy(
      {
        config: configuration,
        callbackURL: this.callbackUrl,
        scope: connection.scopes.join(' '),
        sessionKey: CHECKS_KEY,
      },
      // The tokens are the strategy's result; the flow turns them into a user and a session.
      (tokens, verified) => {
        verified(null, tokens);
      },
    );
    return { configuration, strategy };
  }
}
