import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { SignJWT } from 'jose';
import { APP_CONFIG, ResolvedConfig } from '@app/platform';
import { SigningKeysService } from './signing-keys.service';

/**
 * The `aud` of every downstream token: one fixed value for every product, which
 * each product checks (RFC 7519 §4.1.3) so that no other JWT of the same issuer
 * passes for one of these.
 */
export const DOWNSTREAM_TOKEN_AUDIENCE = 'downstream';

/** Five minutes: short enough that a deactivated user's token dies quickly without a revocation list. */
export const DOWNSTREAM_TOKEN_TTL_SECONDS = 300;

/** Who the token speaks for; an unknown (null or empty) `email` or `name` is left out of the token. */
export interface DownstreamTokenInput {
  readonly userId: string;
  readonly tenantSlug: string;
  readonly email?: string | null;
  readonly name?: string | null;
  readonly roles: readonly string[];
  readonly teams: readonly string[];
  readonly sessionId: string;
}

/** A signed token and its lifetime in seconds, as `POST /auth/token` answers them. */
export interface IssuedDownstreamToken {
  readonly accessToken: string;
  readonly expiresIn: number;
}

/** Signs the short-lived JWTs that downstream products accept, with the active key published in the JWKS. */
@Injectable()
export class DownstreamTokenIssuer {
  private readonly issuer: string;

  constructor(
    private readonly signingKeys: SigningKeysService,
    @Inject(APP_CONFIG) config: ResolvedConfig,
  ) {
    this.issuer = config.publicUrl.replace(/\/+$/, '');
  }

  async issue(input: DownstreamTokenInput): Promise<IssuedDownstreamToken> {
    const key = await this.signingKeys.activeKey();
    const issuedAt = Math.floor(Date.now() / 1000);
    const accessToken = await new SignJWT({
      tid: input.tenantSlug,
      ...(input.email ? { email: input.email } : {}),
      ...(input.name ? { name: input.name } : {}),
      roles: [...input.roles],
      teams: [...input.teams],
      sid: input.sessionId,
    })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setSubject(input.userId)
      .setAudience(DOWNSTREAM_TOKEN_AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + DOWNSTREAM_TOKEN_TTL_SECONDS)
      .setJti(randomUUID())
      .sign(key.privateKey);
    return { accessToken, expiresIn: DOWNSTREAM_TOKEN_TTL_SECONDS };
  }
}
