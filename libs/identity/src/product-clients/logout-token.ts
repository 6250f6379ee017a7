import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { ActiveSigningKey } from '../signing-keys/signing-keys.service';

/** Back-Channel Logout 1.0 §2.4: the event that makes a JWT a logout token. */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** Two minutes: a logout token is used at once, and a receiver may refuse an old one. */
export const LOGOUT_TOKEN_TTL_SECONDS = 120;

/** Who is logged out of which product session. */
export interface LogoutTokenClaims {
  readonly issuer: string;
  /** The product's client id. */
  readonly clientId: string;
  readonly sub: string;
  readonly sid: string;
}

/**
 * Signs a logout token (Back-Channel Logout 1.0 §2.4) with the gateway's key:
 * `iss`, `aud`, `iat`, `exp`, `jti`, `sub`, `sid` and the logout event, never a `nonce`.
 */
export function signLogoutToken(
  key: ActiveSigningKey,
  claims: LogoutTokenClaims,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<string> {
  return new SignJWT({ sid: claims.sid, events: { [BACKCHANNEL_LOGOUT_EVENT]: {} } })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'logout+jwt' })
    .setIssuer(claims.issuer)
    .setAudience(claims.clientId)
    .setSubject(claims.sub)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + LOGOUT_TOKEN_TTL_SECONDS)
    .setJti(randomUUID())
    .sign(key.privateKey);
}
