import { Inject, Injectable } from '@nestjs/common';
import { SigningKeysService } from '@app/identity';
import { APP_CONFIG, ResolvedConfig } from '@app/platform';
import { createLocalJWKSet, errors, jwtVerify } from 'jose';
import { productsApiAudience } from '../provider/provider-routes';

/** What a valid products API access token says. */
export interface ProductToken {
  readonly clientId: string;
  readonly scopes: readonly string[];
}

/**
 * Verifies the client-credentials access tokens the gateway's OpenID Provider
 * issues for the products API (RFC 9068 JWTs): the gateway's own keys, its
 * issuer, the API's audience, expiry. Returns undefined for any other token.
 */
@Injectable()
export class ProductTokenVerifier {
  private readonly issuer: string;
  private readonly audience: string;

  constructor(
    private readonly signingKeys: SigningKeysService,
    @Inject(APP_CONFIG) config: ResolvedConfig,
  ) {
    this.issuer = config.publicUrl;
    // The audience the OpenID Provider gives the API's tokens: {PUBLIC_URL}/api/v1.
    this.audience = productsApiAudience(config.publicUrl);
  }

  async verify(token: string): Promise<ProductToken | undefined> {
    const keys = createLocalJWKSet(await this.signingKeys.jwks());
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: this.issuer,
        audience: this.audience,
        algorithms: ['ES256'],
        typ: 'at+jwt',
        requiredClaims: ['exp', 'client_id'],
      });
      const clientId = payload['client_id'];
      const scope = payload['scope'];
      if (typeof clientId !== 'string') return undefined;
      return { clientId, scopes: typeof scope === 'string' ? scope.split(' ').filter(Boolean) : [] };
    } catch (error) {
      if (error instanceof errors.JOSEError) return undefined;
      throw error;
    }
  }
}
