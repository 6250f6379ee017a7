import { createHash } from 'node:crypto';

/** Who acted: the operator's admin token, a signed-in user, or a setup link. */
export type AuditActorType = 'operator' | 'user' | 'setup_link';

/** The actor of an audit entry; `label` is what a reader recognizes (a user's userName, a setup link's email). */
export interface AuditActor {
  readonly type: AuditActorType;
  readonly id: string;
  readonly label?: string | null;
}

export const AUDIT_ACTOR_TYPES: readonly AuditActorType[] = ['operator', 'user', 'setup_link'];

/**
 * The admin token's id in the audit log: the first 8 bytes of its SHA-256, in hex. Not the
 * secret and not enough to find it, yet a rotated token shows as another actor.
 */
export function adminTokenFingerprint(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex').slice(0, 16);
}

/** The operator acting with this admin token. */
export function operatorActor(token: string): AuditActor {
  return { type: 'operator', id: adminTokenFingerprint(token) };
}
