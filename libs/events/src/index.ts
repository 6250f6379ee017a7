export type { IdentityEvent, IdentityEventType } from '@app/identity/events/identity-event';
export * from './event-deduplicator';
export * from './identity-event-consumer';
export * from './client-credentials';
export * from './directory-follower';
