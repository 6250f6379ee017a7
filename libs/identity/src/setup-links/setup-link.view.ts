import type { SetupLinkEntity } from './setup-link.entity';
import type { SetupLinkScope } from './setup-link.input';

export type SetupLinkStatus = 'active' | 'used' | 'expired' | 'revoked';

/** A setup link as listed: never its secret or hash. */
export interface SetupLinkView {
  readonly id: string;
  readonly status: SetupLinkStatus;
  readonly scopes: SetupLinkScope[];
  readonly email: string | null;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly usedAt: string | null;
  readonly revokedAt: string | null;
  readonly createdBy: string;
}

/** Why a link does not open (first match wins: a revoked link says so even after its expiry). */
export function setupLinkStatus(
  link: Pick<SetupLinkEntity, 'usedAt' | 'revokedAt' | 'expiresAt'>,
  now = new Date(),
): SetupLinkStatus {
  if (link.revokedAt) return 'revoked';
  if (link.usedAt) return 'used';
  if (link.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'active';
}

export function toSetupLinkView(link: SetupLinkEntity, now = new Date()): SetupLinkView {
  return {
    id: link.id,
    status: setupLinkStatus(link, now),
    scopes: link.scopes as SetupLinkScope[],
    email: link.email,
    createdAt: link.createdAt.toISOString(),
    expiresAt: link.expiresAt.toISOString(),
    usedAt: link.usedAt?.toISOString() ?? null,
    revokedAt: link.revokedAt?.toISOString() ?? null,
    createdBy: link.createdBy,
  };
}
