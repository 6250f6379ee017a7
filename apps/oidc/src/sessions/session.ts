/** A signed-in browser, as kept in Redis. */
export interface Session {
  /** Public id: shown in /auth/me, tokens (`sid`) and events. Not the cookie's secret. */
  readonly id: string;
  readonly tenantId: string;
  readonly tenantSlug: string;
  readonly userId: string;
  /**
   * The ID token of the sign-in, sent back to the IdP as `id_token_hint` at logout;
   * sealed with SECRETS_KEY (bound to the session id), so a Redis dump holds no
   * bearer of the person's identity. Absent on sessions kept by an older release.
   */
  readonly sealedIdToken?: string;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  readonly absoluteExpiresAt: number;
}

/** When the session ends unless used again. */
export function sessionExpiresAt(session: Session, idleMs: number): number {
  return Math.min(session.lastSeenAt + idleMs, session.absoluteExpiresAt);
}
