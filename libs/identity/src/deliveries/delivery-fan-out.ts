import type { IdentityEvent } from '../events/identity-event';

/** A delivery the fan-out just recorded, with what its first attempt needs. */
export interface NewDelivery {
  readonly id: string;
  readonly round: number;
  readonly subscriptionId: string;
  readonly kind: 'webhook' | 'queue';
  readonly url: string | null;
  readonly secretSealed: Buffer | null;
  /** Attempts made by the subscriber's earliest pending earlier change of the subject; null when none waits. */
  readonly heldByAttempts: number | null;
}

/** What fanning an event out found or did. */
export type FanOutResult =
  /** No such event (deleted, or not an outbox id). */
  | { readonly state: 'unknown' }
  /** The previous change of its subject is not fanned out yet: try again shortly. */
  | { readonly state: 'waiting'; readonly subject: string; readonly sequence: number }
  /** Fanned out before (a replay after a crash, or a repair round): its pending deliveries need their jobs. */
  | { readonly state: 'replayed' }
  /** Fanned out now: these deliveries are new (none when no subscription selects the event). */
  | { readonly state: 'recorded'; readonly event: IdentityEvent; readonly deliveries: NewDelivery[] };

/** One event of a batch fanned out now, with its new deliveries (none when no subscription selects it). */
export interface RecordedFanOut {
  readonly event: IdentityEvent;
  readonly deliveries: NewDelivery[];
}

/** What fanning a batch of events out found or did, each list in `position` order. */
export interface FanOutBatchResult {
  /** Fanned out now. */
  readonly recorded: RecordedFanOut[];
  /** Fanned out before (a replay, or a concurrent run): their pending deliveries need their jobs. */
  readonly replayed: string[];
  /** Behind an earlier change of their subject not fanned out yet (in another batch): try again shortly. */
  readonly waiting: string[];
}

/** One row of the batch fan-out statement: an event of the batch, beside one new delivery (or none). */
export interface FanOutBatchRow extends Omit<FanOutStatementRow, 'predecessorWaiting' | 'event'> {
  readonly eventId: string;
  /** Its subject's earlier changes are all fanned out (before, or now in this statement). */
  readonly ready: boolean;
  /** The payload, only for an event marked now. */
  readonly event: IdentityEvent | null;
}

/**
 * Reads the batch statement's rows (ordered by position, an event's rows together).
 * Ready but not marked means a concurrent run marked it first: a replay.
 */
export function toFanOutBatchResult(rows: readonly FanOutBatchRow[]): FanOutBatchResult {
  const recorded: RecordedFanOut[] = [];
  const replayed: string[] = [];
  const waiting: string[] = [];
  let current: { id: string; deliveries: NewDelivery[] } | undefined;
  for (const row of rows) {
    if (current?.id !== row.eventId) {
      current = undefined;
      if (row.marked && row.event) {
        current = { id: row.eventId, deliveries: [] };
        recorded.push({ event: row.event, deliveries: current.deliveries });
      } else if (row.fannedOut || row.ready) {
        replayed.push(row.eventId);
      } else {
        waiting.push(row.eventId);
      }
    }
    if (current && isDelivery(row)) current.deliveries.push(toNewDelivery(row));
  }
  return { recorded, replayed, waiting };
}

/** One row of the fan-out statement: the event's facts, beside one new delivery (or none). */
export interface FanOutStatementRow {
  readonly fannedOut: boolean;
  readonly predecessorWaiting: boolean;
  readonly marked: boolean;
  readonly subjectType: string;
  readonly subjectId: string;
  readonly sequence: number;
  readonly event: IdentityEvent;
  readonly id: string | null;
  readonly round: number | null;
  readonly subscriptionId: string | null;
  readonly kind: 'webhook' | 'queue' | null;
  readonly url: string | null;
  readonly secretSealed: Buffer | null;
  readonly heldByAttempts: number | null;
}

/**
 * Reads the fan-out statement's rows. Not marked and not waiting means it was
 * fanned out already, possibly by a concurrent run that committed first.
 */
export function toFanOutResult(rows: readonly FanOutStatementRow[]): FanOutResult {
  const first = rows[0];
  if (!first) return { state: 'unknown' };
  if (first.marked) {
    const deliveries = rows.filter(isDelivery).map(toNewDelivery);
    return { state: 'recorded', event: first.event, deliveries };
  }
  if (!first.fannedOut && first.predecessorWaiting) {
    return { state: 'waiting', subject: `${first.subjectType} ${first.subjectId}`, sequence: first.sequence };
  }
  return { state: 'replayed' };
}

function isDelivery<Row extends Omit<FanOutStatementRow, 'event' | 'predecessorWaiting'>>(
  row: Row,
): row is Row & { id: string; round: number; subscriptionId: string; kind: 'webhook' | 'queue' } {
  return row.id !== null && row.round !== null && row.subscriptionId !== null && row.kind !== null;
}

/** The new delivery a row of either fan-out statement carries, without the row's other columns. */
function toNewDelivery(row: NewDelivery): NewDelivery {
  return {
    id: row.id,
    round: row.round,
    subscriptionId: row.subscriptionId,
    kind: row.kind,
    url: row.url,
    secretSealed: row.secretSealed,
    heldByAttempts: row.heldByAttempts,
  };
}
