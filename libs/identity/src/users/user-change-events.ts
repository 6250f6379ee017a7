import type { IdentityEventType } from '../events/identity-event';

/** What one committed write changed, as far as subscribers care. */
export interface UserChange {
  /** Attributes other than `active` and `password` changed. */
  readonly profileChanged: boolean;
  readonly wasActive: boolean;
  readonly isActive: boolean;
  readonly passwordChanged: boolean;
}

/**
 * The lifecycle events of one change, in the order subscribers should see
 * them. A deactivation that only flips `active` is `user.deactivated` alone,
 * not also `user.updated`.
 */
export function userChangeEvents(change: UserChange): IdentityEventType[] {
  const events: IdentityEventType[] = [];
  if (change.profileChanged) events.push('user.updated');
  if (change.wasActive && !change.isActive) events.push('user.deactivated');
  if (!change.wasActive && change.isActive) events.push('user.reactivated');
  if (change.passwordChanged) events.push('user.password_changed');
  return events;
}
