/** The grants a product may use at the gateway's token endpoint. */
export type ProductGrantType = 'authorization_code' | 'refresh_token' | 'client_credentials';

/** A product registered as an OIDC client of the gateway (`product_clients`). */
export interface ProductClientRow {
  readonly clientId: string;
  readonly name: string;
  /** A public client (a SPA, a native app) has no secret and must use PKCE. */
  readonly public: boolean;
  /** AES-256-GCM sealed client secret (SecretBox, context = client id); null for a public client. */
  readonly secretSealed: Buffer | null;
  readonly redirectUris: string[];
  readonly postLogoutRedirectUris: string[];
  readonly backchannelLogoutUri: string | null;
  /** Tenant slugs whose users may sign in, or `['*']` for every tenant. */
  readonly tenants: string[];
  readonly grantTypes: ProductGrantType[];
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Whether users of this tenant may sign in to the product (or its client-credentials tokens may read it). */
export function clientServesTenant(client: Pick<ProductClientRow, 'tenants'>, tenantSlug: string): boolean {
  return client.tenants.includes('*') || client.tenants.includes(tenantSlug);
}
