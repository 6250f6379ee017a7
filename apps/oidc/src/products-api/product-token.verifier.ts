import { Inject, Injectable } from '@nestjs/common';
import { SigningKeysService } from '@app/identity';
import { APP_CONFIG, ResolvedConfig } from '@app/platform';
import { createLocalJWKSet, errors, jwtVerify } from 'jose';

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
    // INTERFACES.md: the API's tokens have `aud` = {PUBLIC_URL}/api/v1, as the OpenID Provider issues them.
    this.audience = `${config.publicUrl}/api/v1`;
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
