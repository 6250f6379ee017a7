import type { ServerMetadata } from './issuer-discovery';
import type { TokenEndpointAuthMethod } from './oidc-connection.input';

/** A tenant's connection to its IdP, without its secret. */
export interface OidcConnectionSettings {
  readonly tenantId: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  readonly scopes: readonly string[];
  readonly groupsClaim: string | null;
  /** The claim that holds the externalId SCIM provisioned the person with. */
  readonly externalIdClaim: string;
  readonly postLogoutRedirectUri: string | null;
  readonly allowedReturnUrls: readonly string[];
  /** Changes with every write, never repeating, so cached client configurations know they are stale. */
  readonly version: number;
  readonly updatedAt: Date;
  /** When the pinned discovery document was last fetched and checked; null before its first use (older connections). */
  readonly discoveryCheckedAt: Date | null;
}

/** A connection with the client secret opened, for sign-in: kept in memory only. */
export interface OidcConnection extends OidcConnectionSettings {
  readonly clientSecret: string;
  /** The discovery document checked when the connection was saved or refreshed: sign-in's endpoints. */
  readonly serverMetadata: ServerMetadata | null;
}

/** A connection as the admin API shows it: never the secret. */
export interface OidcConnectionView {
  readonly issuer: string;
  readonly clientId: string;
  readonly tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  readonly scopes: readonly string[];
  readonly groupsClaim: string | null;
  readonly externalIdClaim: string;
  readonly postLogoutRedirectUri: string | null;
  readonly allowedReturnUrls: readonly string[];
  readonly updatedAt: string;
}

export function toOidcConnectionView(connection: OidcConnectionSettings): OidcConnectionView {
  return {
    issuer: connection.issuer,
    clientId: connection.clientId,
    tokenEndpointAuthMethod: connection.tokenEndpointAuthMethod,
    scopes: connection.scopes,
    groupsClaim: connection.groupsClaim,
    externalIdClaim: connection.externalIdClaim,
    postLogoutRedirectUri: connection.postLogoutRedirectUri,
    allowedReturnUrls: connection.allowedReturnUrls,
    updatedAt: connection.updatedAt.toISOString(),
  };
}
