import type { IdentityEvent } from '../events/identity-event';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One delivery of one event to one subscription (`deliveries`): the record of truth of the fan-out. */
export interface DeliveryRow {
  readonly id: string;
  readonly subscriptionId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly subjectType: string;
  readonly subjectId: string;
  readonly sequence: number;
  readonly occurredAt: Date;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly round: number;
  readonly lastResponseStatus: number | null;
  readonly lastError: string | null;
  readonly latencyMs: number | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly deliveredAt: Date | null;
}

/** What a delivery attempt needs: the delivery, its subscription, the event, and whether an earlier change waits. */
export interface DeliveryAttemptRow extends DeliveryRow {
  readonly kind: 'webhook' | 'queue';
  readonly url: string | null;
  readonly queue: string | null;
  readonly secretSealed: Buffer | null;
  readonly enabled: boolean;
  readonly event: IdentityEvent;
  /** Attempts made by the earliest pending delivery of an earlier change of the same subject, if any. */
  readonly heldByAttempts: number | null;
}
