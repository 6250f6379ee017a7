import { ScimTokenEntity } from './scim-token.entity';

export type ScimTokenStatus = 'active' | 'expired' | 'revoked';

/** A SCIM token as listed: never its secret or hash. */
export interface ScimTokenView {
  readonly id: string;
  readonly prefix: string;
  readonly status: ScimTokenStatus;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
  readonly lastUsedAt: string | null;
  /** While a rotation is under way (both tokens work): the id of the token this one replaces. */
  readonly replaces: string | null;
}

/**
 * `replacing` is the token this one replaces when that rotation is still under way
 * (see scimTokenViews); a single token's view cannot tell.
 */
export function toScimTokenView(
  token: ScimTokenEntity,
  now = new Date(),
  replacing: string | null = null,
): ScimTokenView {
  return {
    id: token.id,
    prefix: token.prefix,
    status: tokenStatus(token, now),
    createdAt: token.createdAt.toISOString(),
    expiresAt: token.expiresAt?.toISOString() ?? null,
    revokedAt: token.revokedAt?.toISOString() ?? null,
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
    replaces: replacing,
  };
}

/**
 * A tenant's tokens as listed. A rotation is under way while both its tokens are unrevoked
 * (as the rotation service and its unique index see it): an expired new token still has to
 * be cancelled or completed, so it still shows what it replaces.
 */
export function scimTokenViews(tokens: readonly ScimTokenEntity[], now = new Date()): ScimTokenView[] {
  const unrevoked = new Set(tokens.filter((token) => token.revokedAt === null).map((token) => token.id));
  return tokens.map((token) =>
    toScimTokenView(
      token,
      now,
      token.replacesTokenId !== null && unrevoked.has(token.id) && unrevoked.has(token.replacesTokenId)
        ? token.replacesTokenId
        : null,
    ),
  );
}

function tokenStatus(token: ScimTokenEntity, now: Date): ScimTokenStatus {
  if (token.revokedAt) return 'revoked';
  if (token.expiresAt && token.expiresAt <= now) return 'expired';
  return 'active';
}
