/** Every lifecycle event type the gateway emits (INTERFACES.md, Events). */
export const IDENTITY_EVENT_TYPES = [
  'user.created',
  'user.updated',
  'user.deactivated',
  'user.reactivated',
  'user.deleted',
  'user.password_changed',
  'user.signed_in',
  'user.signed_out',
  'user.roles_changed',
  'group.created',
  'group.updated',
  'group.deleted',
  'group.member_added',
  'group.member_removed',
] as const;

export type IdentityEventType = (typeof IDENTITY_EVENT_TYPES)[number];

export type SubjectType = 'user' | 'group';

/** A lifecycle event as subscribers receive it. */
export interface IdentityEvent {
  readonly id: string;
  readonly type: IdentityEventType;
  /** ISO 8601 time of the change. */
  readonly occurredAt: string;
  readonly tenant: { readonly id: string; readonly slug: string };
  readonly subject: { readonly type: SubjectType; readonly id: string };
  /** Rises with each change of the same subject, so a consumer can drop a stale event. */
  readonly sequence: number;
  /** The resource after the change; never a password or a secret. */
  readonly data: Record<string, unknown>;
  /**
   * On `user.updated` and `group.updated` only: the old values of the top-level
   * fields of `data` that changed (`null` for a field that was absent). Events
   * stored before it existed lack it.
   */
  readonly previous?: Record<string, unknown>;
}

/** What a service supplies to record an event; the outbox assigns id, time and sequence. */
export interface NewIdentityEvent {
  readonly type: IdentityEventType;
  readonly tenant: { readonly id: string; readonly slug: string };
  readonly subject: { readonly type: SubjectType; readonly id: string };
  readonly data: Record<string, unknown>;
  /** Recorded on `*.updated` types only (see `previousValues`); the outbox drops it on any other. */
  readonly previous?: Record<string, unknown>;
}
