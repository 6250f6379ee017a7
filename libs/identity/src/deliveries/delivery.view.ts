import { DeliveryRow, DeliveryStatus } from './delivery.row';

/** One line of a subscription's delivery log in the admin API. */
export interface DeliveryView {
  id: string;
  eventId: string;
  eventType: string;
  subject: { type: string; id: string };
  sequence: number;
  status: DeliveryStatus;
  attempts: number;
  lastResponseStatus: number | null;
  lastError: string | null;
  /** Milliseconds from the change's commit to its delivery. */
  latencyMs: number | null;
  createdAt: string;
  updatedAt: string;
  deliveredAt: string | null;
}

export function toDeliveryView(row: DeliveryRow): DeliveryView {
  return {
    id: row.id,
    eventId: row.eventId,
    eventType: row.eventType,
    subject: { type: row.subjectType, id: row.subjectId },
    sequence: row.sequence,
    status: row.status,
    attempts: row.attempts,
    lastResponseStatus: row.lastResponseStatus,
    lastError: row.lastError,
    latencyMs: row.latencyMs,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
  };
}
