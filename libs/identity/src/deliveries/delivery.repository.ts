import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { runStatement } from '../scim/storage/prepared-statements';
import { subscriptionSelectsSql } from '../subscriptions/event-pattern';
import {
  FanOutBatchResult,
  FanOutBatchRow,
  FanOutResult,
  FanOutStatementRow,
  toFanOutBatchResult,
  toFanOutResult,
} from './delivery-fan-out';
import { QueuedDelivery } from './delivery-jobs';
import { DeliveryAttemptRow, DeliveryRow, DeliveryStatus } from './delivery.row';
import { DeliveryOutcome, toOutcomeColumns } from './outcome-batcher';

const COLUMNS = `
  d.id, d.subscription_id AS "subscriptionId", d.event_id AS "eventId", d.event_type AS "eventType",
  d.subject_type AS "subjectType", d.subject_id AS "subjectId", d.sequence::float8 AS "sequence",
  d.occurred_at AS "occurredAt", d.status, d.attempts, d.round, d.last_response_status AS "lastResponseStatus",
  d.last_error AS "lastError", d.latency_ms AS "latencyMs", d.created_at AS "createdAt", d.updated_at AS "updatedAt",
  d.delivered_at AS "deliveredAt"`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** See DeliveryRepository.fanOutBatch. */
const FAN_OUT_BATCH_SQL = `
  WITH e AS (
    SELECT o.position, o.id, o.type, o.tenant_id, o.subject_type, o.subject_id, o.sequence, o.occurred_at, o.payload,
           o.fanned_out_at IS NOT NULL AS fanned_out, row_number() OVER (ORDER BY o.position) AS ord
    FROM outbox_events o WHERE o.id = ANY($1::uuid[])
  ), runs AS (
    SELECT e.id, e.subject_type, e.subject_id,
           e.sequence - row_number() OVER w AS run, first_value(e.sequence) OVER w AS first
    FROM e WHERE NOT e.fanned_out
    WINDOW w AS (PARTITION BY e.subject_type, e.subject_id ORDER BY e.sequence)
  ), ready AS (
    SELECT r.id FROM runs r
    WHERE r.run = r.first - 1
      AND NOT EXISTS (SELECT 1 FROM outbox_events p
                      WHERE p.subject_type = r.subject_type AND p.subject_id = r.subject_id
                        AND p.sequence = r.first - 1 AND p.fanned_out_at IS NULL)
  ), marked AS (
    UPDATE outbox_events o SET fanned_out_at = now()
    FROM ready WHERE o.id = ready.id AND o.fanned_out_at IS NULL
    RETURNING o.id
  ), inserted AS (
    -- created_at a microsecond apart per event, so the log (newest first) lists a batch's deliveries in event order
    INSERT INTO deliveries (subscription_id, event_id, event_type, subject_type, subject_id, sequence, occurred_at,
                            created_at)
    SELECT s.id, e.id, e.type, e.subject_type, e.subject_id, e.sequence, e.occurred_at,
           now() + (e.ord - 1) * interval '1 microsecond'
    FROM marked JOIN e ON e.id = marked.id
    JOIN subscriptions s ON ${subscriptionSelectsSql('s', 'e')}
    ON CONFLICT (subscription_id, event_id) DO NOTHING
    RETURNING id, subscription_id, event_id, subject_type, subject_id, sequence, round
  )
  SELECT e.id AS "eventId", e.fanned_out AS "fannedOut", (ready.id IS NOT NULL) AS ready,
         (m.id IS NOT NULL) AS marked, e.subject_type AS "subjectType", e.subject_id AS "subjectId",
         e.sequence::float8 AS "sequence", CASE WHEN m.id IS NOT NULL THEN e.payload END AS "event",
         i.id, i.round, s.id AS "subscriptionId", s.kind, s.url, s.secret_sealed AS "secretSealed",
         (SELECT p.attempts FROM deliveries p
          WHERE p.subscription_id = i.subscription_id AND p.subject_type = i.subject_type
            AND p.subject_id = i.subject_id AND p.sequence < i.sequence AND p.status = 'pending'
          ORDER BY p.sequence LIMIT 1) AS "heldByAttempts"
  FROM e
  LEFT JOIN ready ON ready.id = e.id
  LEFT JOIN marked m ON m.id = e.id
  LEFT JOIN (inserted i JOIN subscriptions s ON s.id = i.subscription_id) ON i.event_id = e.id
  ORDER BY e.position, i.id`;

/** Where a scan of stale pending deliveries goes on from. */
export interface StaleCursor {
  readonly updatedAt: string;
  readonly id: string;
}

/** A pending delivery idle for long: what a new job needs, and where the scan stands. */
export interface StalePendingDelivery extends QueuedDelivery, StaleCursor {
  readonly attempts: number;
  /** How long since the row last changed. */
  readonly idleMs: number;
}

/** How one attempt ended, for the log. */
export interface AttemptRecord {
  readonly responseStatus: number | null;
  readonly error: string | null;
}

/** The SQL of the delivery log and of the fan-out's bookkeeping on the outbox. */
@Injectable()
export class DeliveryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  // ---- fan-out --------------------------------------------------------------

  /**
   * Fans an event out in one statement: unless it was fanned out already or the
   * previous change of its subject still waits for its own fan-out, marks it
   * fanned out and records one pending delivery per enabled subscription that
   * selects it ((subscription_id, event_id) is unique, so a replay adds nothing).
   * Returns the new deliveries with what their first attempt needs.
   *
   * Ordering: a subject's change n is fanned out only after change n − 1, and a
   * new delivery is `held` when its subscriber still has an earlier change of the
   * subject pending. One statement sees one snapshot: when n − 1 shows as fanned
   * out, its deliveries show too.
   */
  async fanOut(eventId: string): Promise<FanOutResult> {
    if (!UUID.test(eventId)) return { state: 'unknown' };
    const rows = await this.dataSource.query<FanOutStatementRow[]>(
      `WITH e AS (
         SELECT o.id, o.type, o.tenant_id, o.subject_type, o.subject_id, o.sequence, o.occurred_at, o.payload,
                o.fanned_out_at IS NOT NULL AS fanned_out,
                EXISTS (SELECT 1 FROM outbox_events p
                        WHERE p.subject_type = o.subject_type AND p.subject_id = o.subject_id
                          AND p.sequence = o.sequence - 1 AND p.fanned_out_at IS NULL) AS predecessor_waiting
         FROM outbox_events o WHERE o.id = $1
       ), marked AS (
         UPDATE outbox_events o SET fanned_out_at = now()
         FROM e WHERE o.id = e.id AND NOT e.fanned_out AND NOT e.predecessor_waiting AND o.fanned_out_at IS NULL
         RETURNING o.id
       ), inserted AS (
         INSERT INTO deliveries (subscription_id, event_id, event_type, subject_type, subject_id, sequence, occurred_at)
         SELECT s.id, e.id, e.type, e.subject_type, e.subject_id, e.sequence, e.occurred_at
         FROM marked JOIN e ON e.id = marked.id
         JOIN subscriptions s ON ${subscriptionSelectsSql('s', 'e')}
         ON CONFLICT (subscription_id, event_id) DO NOTHING
         RETURNING id, subscription_id, subject_type, subject_id, sequence, round
       )
       SELECT e.fanned_out AS "fannedOut", e.predecessor_waiting AS "predecessorWaiting",
              EXISTS (SELECT 1 FROM marked) AS "marked", e.subject_type AS "subjectType", e.subject_id AS "subjectId",
              e.sequence::float8 AS "sequence", e.payload AS "event",
              i.id, i.round, s.id AS "subscriptionId", s.kind, s.url, s.secret_sealed AS "secretSealed",
              (SELECT p.attempts FROM deliveries p
               WHERE p.subscription_id = i.subscription_id AND p.subject_type = i.subject_type
                 AND p.subject_id = i.subject_id AND p.sequence < i.sequence AND p.status = 'pending'
               ORDER BY p.sequence LIMIT 1) AS "heldByAttempts"
       FROM e LEFT JOIN (inserted i JOIN subscriptions s ON s.id = i.subscription_id) ON true`,
      [eventId],
    );
    return toFanOutResult(rows);
  }

  /**
   * Fans a batch of events out in one statement, as `fanOut` does one: the events
   * whose subject's earlier changes are all fanned out (before, or in this batch)
   * are marked fanned out and get one pending delivery per enabled subscription
   * that selects them; the others wait. Returns, in `position` order, the events
   * marked now with their new deliveries, those fanned out before, and those waiting.
   *
   * Ordering: within the batch, a subject's changes not fanned out yet are taken
   * from the earliest on while their sequence numbers run on without a hole, and
   * only when the change before the earliest is fanned out (or gone). A delivery's
   * `heldByAttempts` sees the deliveries recorded before this statement; one held
   * behind a delivery recorded in this same statement (an earlier change of the
   * batch, same subscriber) is the caller's to order: the rows come in `position` order.
   * The statement's text never changes, so it runs as a named prepared statement.
   */
  async fanOutBatch(eventIds: readonly string[]): Promise<FanOutBatchResult> {
    const ids = eventIds.filter((id) => UUID.test(id));
    if (ids.length === 0) return { recorded: [], replayed: [], waiting: [] };
    const rows = await runStatement<FanOutBatchRow>(this.dataSource.manager, FAN_OUT_BATCH_SQL, [ids]);
    return toFanOutBatchResult(rows);
  }

  /**
   * The deliveries of an event that still wait, with what kind of job each needs and
   * the attempts made already. The column counts every round's attempts, so a later
   * round (a retry by hand) is given its whole schedule again.
   */
  pendingOfEvent(eventId: string): Promise<QueuedDelivery[]> {
    return this.dataSource.query(
      `SELECT d.id, d.round, d.subscription_id AS "subscriptionId", s.kind,
              CASE WHEN d.round = 0 THEN d.attempts ELSE 0 END AS attempts
       FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
       WHERE d.event_id = $1 AND d.status = 'pending'`,
      [eventId],
    );
  }

  /** `pendingOfEvent` for several events at once. */
  pendingOfEvents(eventIds: readonly string[]): Promise<QueuedDelivery[]> {
    return this.dataSource.query(
      `SELECT d.id, d.round, d.subscription_id AS "subscriptionId", s.kind,
              CASE WHEN d.round = 0 THEN d.attempts ELSE 0 END AS attempts
       FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
       WHERE d.event_id = ANY($1::uuid[]) AND d.status = 'pending'`,
      [eventIds],
    );
  }

  /**
   * Up to `limit` pending deliveries not updated for `idleMs` (candidates for a lost
   * job), oldest first after `after` (the cursor of the previous batch), with what
   * a new job needs. `idleMs` of each is measured by PostgreSQL's clock.
   */
  stalePending(idleMs: number, limit: number, after: StaleCursor | undefined): Promise<StalePendingDelivery[]> {
    return this.dataSource.query(
      `SELECT d.id, d.round, d.subscription_id AS "subscriptionId", s.kind,
              CASE WHEN d.round = 0 THEN d.attempts ELSE 0 END AS attempts,
              d.updated_at::text AS "updatedAt", (EXTRACT(EPOCH FROM now() - d.updated_at) * 1000)::float8 AS "idleMs"
       FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
       WHERE d.status = 'pending' AND d.updated_at < now() - make_interval(secs => $1::float8 / 1000)
         AND ($3::timestamptz IS NULL OR (d.updated_at, d.id) > ($3::timestamptz, $4::uuid))
       ORDER BY d.updated_at, d.id
       LIMIT $2`,
      [idleMs, limit, after?.updatedAt ?? null, after?.id ?? null],
    );
  }

  // ---- attempts -------------------------------------------------------------

  /** Everything one attempt needs, in one query; undefined when the delivery (or its subscription) is gone. */
  async forAttempt(deliveryId: string): Promise<DeliveryAttemptRow | undefined> {
    const rows = await this.dataSource.query<DeliveryAttemptRow[]>(
      `SELECT ${COLUMNS}, s.kind, s.url, s.queue, s.secret_sealed AS "secretSealed", s.enabled, o.payload AS "event",
              (SELECT p.attempts FROM deliveries p
               WHERE p.subscription_id = d.subscription_id AND p.subject_type = d.subject_type
                 AND p.subject_id = d.subject_id AND p.sequence < d.sequence AND p.status = 'pending'
               ORDER BY p.sequence LIMIT 1) AS "heldByAttempts"
       FROM deliveries d
       JOIN subscriptions s ON s.id = d.subscription_id
       JOIN outbox_events o ON o.id = d.event_id
       WHERE d.id = $1`,
      [deliveryId],
    );
    return rows[0];
  }

  /** Marks the attempt of this round delivered; false if the row moved on meanwhile. */
  async markDelivered(id: string, round: number, attempt: AttemptRecord): Promise<number | undefined> {
    const [rows] = await this.dataSource.query<[{ latencyMs: number }[], number]>(
      `UPDATE deliveries SET status = 'delivered', attempts = attempts + 1, last_response_status = $3, last_error = NULL,
              delivered_at = now(), latency_ms = GREATEST(0, (EXTRACT(EPOCH FROM now() - occurred_at) * 1000)::int),
              updated_at = now()
       WHERE id = $1 AND round = $2 AND status = 'pending'
       RETURNING latency_ms AS "latencyMs"`,
      [id, round, attempt.responseStatus],
    );
    return rows[0]?.latencyMs;
  }

  /** Records a failed attempt; `final` ends the delivery as failed, else it stays pending for the next retry. */
  async markAttemptFailed(id: string, round: number, attempt: AttemptRecord, final: boolean): Promise<void> {
    await this.dataSource.query(
      `UPDATE deliveries SET status = CASE WHEN $5 THEN 'failed' ELSE status END, attempts = attempts + 1,
              last_response_status = $3, last_error = $4, updated_at = now()
       WHERE id = $1 AND round = $2 AND status = 'pending'`,
      [id, round, attempt.responseStatus, attempt.error?.slice(0, 1000) ?? null, final],
    );
  }

  /** Ends a delivery as failed without an attempt (its subscription was turned off). */
  async abandon(id: string, round: number, reason: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE deliveries SET status = 'failed', last_error = $3, updated_at = now()
       WHERE id = $1 AND round = $2 AND status = 'pending'`,
      [id, round, reason],
    );
  }

  /**
   * Records a batch of attempt outcomes in one statement (and one commit) instead of
   * one per delivery; a row that moved on (delivered, another round) is left alone.
   * Returns the latency of each delivery it marked delivered.
   */
  async recordOutcomes(outcomes: readonly DeliveryOutcome[]): Promise<Map<string, number>> {
    const c = toOutcomeColumns(outcomes);
    const [rows] = await this.dataSource.query<[{ id: string; latencyMs: number }[], number]>(
      `UPDATE deliveries d SET
              status = CASE WHEN u.delivered THEN 'delivered' WHEN u.final THEN 'failed' ELSE d.status END,
              attempts = d.attempts + 1, last_response_status = u.status, last_error = u.error,
              delivered_at = CASE WHEN u.delivered THEN u.at ELSE d.delivered_at END,
              latency_ms = CASE WHEN u.delivered
                                THEN GREATEST(0, (EXTRACT(EPOCH FROM u.at - d.occurred_at) * 1000)::int)
                                ELSE d.latency_ms END,
              updated_at = now()
       FROM unnest($1::uuid[], $2::int[], $3::bool[], $4::bool[], $5::int[], $6::text[], $7::timestamptz[])
            AS u(id, round, delivered, final, status, error, at)
       WHERE d.id = u.id AND d.round = u.round AND d.status = 'pending'
       RETURNING d.id, d.latency_ms AS "latencyMs"`,
      [c.ids, c.rounds, c.delivered, c.final, c.statuses, c.errors, c.ats],
    );
    return new Map(rows.filter((row) => row.latencyMs !== null).map((row) => [row.id, row.latencyMs]));
  }

  // ---- the log --------------------------------------------------------------

  /** A page of a subscription's log, newest first; `before` is the id of the last row of the previous page. */
  page(
    subscriptionId: string,
    status: DeliveryStatus | undefined,
    limit: number,
    before: string | undefined,
  ): Promise<DeliveryRow[]> {
    return this.dataSource.query<DeliveryRow[]>(
      `SELECT ${COLUMNS} FROM deliveries d
       WHERE d.subscription_id = $1 AND ($2::text IS NULL OR d.status = $2)
         AND ($3::uuid IS NULL OR (d.created_at, d.id) < (SELECT c.created_at, c.id FROM deliveries c WHERE c.id = $3))
       ORDER BY d.created_at DESC, d.id DESC
       LIMIT $4`,
      [subscriptionId, status ?? null, before !== undefined && UUID.test(before) ? before : null, limit],
    );
  }

  async find(subscriptionId: string, id: string): Promise<DeliveryRow | undefined> {
    if (!UUID.test(id)) return undefined;
    const rows = await this.dataSource.query<DeliveryRow[]>(
      `SELECT ${COLUMNS} FROM deliveries d WHERE d.subscription_id = $1 AND d.id = $2`,
      [subscriptionId, id],
    );
    return rows[0];
  }

  /** Starts the next round of a failed delivery; undefined if it is not failed (anymore). */
  async reopen(subscriptionId: string, id: string): Promise<DeliveryRow | undefined> {
    const [rows] = await this.dataSource.query<[DeliveryRow[], number]>(
      `UPDATE deliveries d SET status = 'pending', round = round + 1, updated_at = now()
       WHERE d.subscription_id = $1 AND d.id = $2 AND d.status = 'failed'
       RETURNING ${COLUMNS}`,
      [subscriptionId, id],
    );
    return rows[0];
  }

  /** Undoes `reopen` when its job could not be queued. */
  async unreopen(id: string, round: number, error: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE deliveries SET status = 'failed', last_error = $3, updated_at = now() WHERE id = $1 AND round = $2 AND status = 'pending'`,
      [id, round, error],
    );
  }

  /** Deletes up to `batch` delivered rows older than `retentionMs`; returns how many. */
  async pruneDelivered(retentionMs: number, batch: number): Promise<number> {
    const [, deleted] = await this.dataSource.query<[unknown[], number]>(
      `DELETE FROM deliveries WHERE id IN (
         SELECT id FROM deliveries WHERE status = 'delivered' AND delivered_at < now() - make_interval(secs => $1::float8 / 1000)
         LIMIT $2)`,
      [retentionMs, batch],
    );
    return deleted;
  }

  /** Deliveries not yet delivered, by status (the delivered ones are counted as they happen). */
  async openCounts(): Promise<{ status: DeliveryStatus; count: number }[]> {
    return this.dataSource.query(
      `SELECT status, count(*)::int AS count FROM deliveries WHERE status IN ('pending', 'failed') GROUP BY status`,
    );
  }

  /** Seconds since the oldest unpublished outbox event was recorded (0 when none waits). */
  async outboxLagSeconds(): Promise<number> {
    const rows = await this.dataSource.query<{ lag: number }[]>(
      `SELECT EXTRACT(EPOCH FROM now() - occurred_at)::float8 AS lag FROM outbox_events
       WHERE published_at IS NULL ORDER BY position LIMIT 1`,
    );
    return Math.max(0, rows[0]?.lag ?? 0);
  }
}
