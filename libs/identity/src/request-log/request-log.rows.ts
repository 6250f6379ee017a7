/** One authenticated SCIM request, as the SCIM app records it (no query string, no body). */
export interface ScimRequestRecord {
  readonly tenantId: string;
  readonly tokenId: string | null;
  readonly occurredAt: Date;
  readonly method: string;
  /** The route pattern with its resource id filled in, e.g. `/scim/v2/Users/2819c223-…`. */
  readonly path: string;
  readonly status: number;
  readonly scimType: string | null;
  readonly durationMs: number;
  readonly userAgent: string | null;
  /** A short error detail (the SCIM error's `detail`), for a failed request. */
  readonly detail: string | null;
}

/** One refused sign-in of a tenant. */
export interface SignInFailureRecord {
  readonly tenantId: string;
  readonly occurredAt: Date;
  readonly status: number;
  /** What the person was told. */
  readonly reason: string;
  /** The cause as the logs name it (e.g. an IdP's error code), never a token. */
  readonly detail: string | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  /** The product's client id, for a product's sign-in through the gateway's OpenID Provider. */
  readonly clientId?: string | null;
  /**
   * Where a gateway sign-in was to return (its `return_to`) when that may be a product's sign-in
   * page: the product is looked up from it (see RequestLogService.findProductsWith).
   */
  readonly returnTo?: string;
}

/** A SCIM request as the admin API shows it. */
export interface ScimRequestView {
  readonly id: string;
  readonly occurredAt: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly scimType: string | null;
  readonly durationMs: number;
  readonly userAgent: string | null;
  readonly detail: string | null;
  readonly tokenId: string | null;
}

/** A refused sign-in as the admin API shows it. */
export interface SignInFailureView {
  readonly id: string;
  readonly occurredAt: string;
  readonly status: number;
  readonly reason: string;
  readonly detail: string | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  /** The product signed in to, when the sign-in was a product's; null for the gateway's own. */
  readonly clientId: string | null;
}
