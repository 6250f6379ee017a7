/** A refusal of the products API's own: a missing or bad token (401), or a token without the scope (403). */
export class ProductsApiError extends Error {
  override readonly name = 'ProductsApiError';

  constructor(
    readonly status: 401 | 403,
    readonly code: 'unauthorized' | 'insufficient_scope',
    message: string,
    /** The RFC 6750 §3 challenge for the WWW-Authenticate header. */
    readonly challenge: string,
  ) {
    super(message);
  }

  static unauthorized(message: string): ProductsApiError {
    return new ProductsApiError(401, 'unauthorized', message, 'Bearer error="invalid_token"');
  }

  static insufficientScope(scope: string): ProductsApiError {
    return new ProductsApiError(
      403,
      'insufficient_scope',
      `this token lacks the scope ${scope}`,
      `Bearer error="insufficient_scope", scope="${scope}"`,
    );
  }
}
