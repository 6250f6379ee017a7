import { Inject, Injectable } from '@nestjs/common';
import { IssuerDiscovery } from '@app/identity/oidc-connections/issuer-discovery';
import type { OidcConnection } from '@app/identity/oidc-connections/oidc-connection';
import { APP_CONFIG, ResolvedConfig } from '@app/platform';
import type * as oidc from 'openid-client';
import { CHECKS_KEY } from './sign-in-request';
import { TenantCodeFlowStrategy } from './tenant-code-flow.strategy';

/** A discovered provider is trusted this long before its document is fetched again. */
const REDISCOVER_AFTER_MS = 3600_000;

/** A tenant's relying-party setup: the openid-client configuration and the passport strategy over it. */
export interface TenantClient {
  readonly configuration: oidc.Configuration;
  readonly strategy: TenantCodeFlowStrategy;
}

interface CacheEntry {
  readonly version: number;
  readonly fetchedAt: number;
  readonly client: Promise<TenantClient>;
}

/**
 * Caches each tenant's openid-client configuration. openid-client v6 keeps no
 * cache of its own, and discovery costs a round trip to the IdP; an entry is
 * replaced when the connection's version changes, and refreshed hourly so a
 * provider's new endpoints are picked up.
 */
@Injectable()
export class OidcClients {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly discovery: IssuerDiscovery,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  /** The tenant's client for this version of its connection; a failed discovery is not cached. */
  clientFor(connection: OidcConnection): Promise<TenantClient> {
    const cached = this.cache.get(connection.tenantId);
    if (cached && cached.version === connection.version && Date.now() - cached.fetchedAt < REDISCOVER_AFTER_MS) {
      return cached.client;
    }
    const client = this.build(connection);
    this.cache.set(connection.tenantId, { version: connection.version, fetchedAt: Date.now(), client });
    client.catch(() => {
      if (this.cache.get(connection.tenantId)?.client === client) this.cache.delete(connection.tenantId);
    });
    return client;
  }

  /** The redirect URI registered at every tenant's IdP: built from PUBLIC_URL, never from a request. */
  get callbackUrl(): string {
    return `${this.config.publicUrl}/auth/callback`;
  }

  private async build(connection: OidcConnection): Promise<TenantClient> {
    const configuration = await this.discovery.configure(connection);
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
