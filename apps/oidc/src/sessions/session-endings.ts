import { Injectable, Logger } from '@nestjs/common';
import type { Session } from './session';

/** Why a gateway session ended. */
export type SessionEndReason = 'logout' | 'user.deactivated' | 'user.deleted' | 'revoked' | 'expired' | 'replaced';

/**
 * Told of every gateway session that ends, however it ends; `successor` is the session that
 * replaced it in the same browser (a new sign-in), when there is one.
 */
export type SessionEndListener = (
  sessions: readonly Session[],
  reason: SessionEndReason,
  successor?: Session,
) => Promise<void>;

/**
 * The one place every end of a gateway session is announced: logout, SCIM
 * deactivation or deletion, an administrator's revocation, idle or absolute
 * expiry. What else must end with it (the products' sessions) listens here.
 */
@Injectable()
export class SessionEndings {
  private readonly logger = new Logger(SessionEndings.name);
  private readonly listeners: SessionEndListener[] = [];

  listen(listener: SessionEndListener): void {
    this.listeners.push(listener);
  }

  /** Tells every listener; a listener's failure is logged, and never undoes the end of the session. */
  async ended(sessions: readonly Session[], reason: SessionEndReason, successor?: Session): Promise<void> {
    if (sessions.length === 0) return;
    await Promise.all(
      this.listeners.map((listener) =>
        listener(sessions, reason, successor).catch((error: unknown) =>
          this.logger.error({ err: error, reason, sessions: sessions.map((s) => s.id) }, 'session end listener failed'),
        ),
      ),
    );
  }
}
