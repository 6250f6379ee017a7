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
}

export function toScimTokenView(token: ScimTokenEntity, now = new Date()): ScimTokenView {
  return {
    id: token.id,
    prefix: token.prefix,
    status: tokenStatus(token, now),
    createdAt: token.createdAt.toISOString(),
    expiresAt: token.expiresAt?.toISOString() ?? null,
    revokedAt: token.revokedAt?.toISOString() ?? null,
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
  };
}

function tokenStatus(token: ScimTokenEntity, now: Date): ScimTokenStatus {
  if (token.revokedAt) return 'revoked';
  if (token.expiresAt && token.expiresAt <= now) return 'expired';
  return 'active';
}
