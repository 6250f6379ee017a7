import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { PLANNED_EACH_TIME, runStatement } from '../scim/storage/prepared-statements';
import { subscriptionSelectsSql } from '../subscriptions/event-pattern';

/** The PostgreSQL channel notified when feed positions commit, so long-polling readers wake at once. */
export const EVENTS_FEED_CHANNEL = 'events_feed';
/** Rows stamped per transaction. */
export const STAMP_BATCH = 1000;
// An arbitrary, fixed key (beside the relay's and the migration lock's): held by the one replica stamping now.
const STAMP_LOCK_KEY = 7_401_955_122;

/** A row the relay's round took (RELAY_ROWS_SQL). */
export interface RelayRow {
  readonly position: string;
  readonly id: string;
  readonly unpublished: boolean;
  readonly selected: boolean;
  readonly waiting_for: string | null;
}

/** The relay's round: what it stamped and published. */
export interface RelayRound {
  /** Rows the round took (stamped, published, or both); 0 when another replica holds a lock. */
  readonly rows: number;
  /** Of which published (handed to the fan-out queue, or fanned out at once when nothing selects them). */
  readonly published: number;
}

/**
 * Rows the relay's round takes: not published, or not stamped (a row published by an
 * older relay before its stamp), oldest first. Every row not stamped is among them.
 * `o.position` is the column: a bare `position` in ORDER BY would name the text output
 * (text order, `10` before `9`) and keep the scan from reading the index in order.
 *
 * What the round needs to know of each row for the fan-out (see nothingToFanOut): whether an
 * enabled subscription selects it (`selected`), and the id of the change before it of the same
 * subject when that one is not fanned out yet (`waiting_for`).
 */
const RELAY_ROWS_SQL = `
  SELECT o.position::text AS position, o.id, o.published_at IS NULL AS unpublished,
         EXISTS (SELECT 1 FROM subscriptions s WHERE ${subscriptionSelectsSql('s', 'o')}) AS selected,
         (SELECT p.id FROM outbox_events p
          WHERE p.subject_type = o.subject_type AND p.subject_id = o.subject_id
            AND p.sequence = o.sequence - 1 AND p.fanned_out_at IS NULL LIMIT 1) AS waiting_for
  FROM outbox_events o
  WHERE o.published_at IS NULL OR o.feed_position IS NULL
  ORDER BY o.position LIMIT $1 FOR UPDATE OF o`;

/**
 * The rows of a round not published yet that have nothing to fan out, in position order: no
 * subscription selects them, and the change before them of their subject is fanned out already
 * or is one of these (the fan-out keeps a subject's changes in order, so a change behind one that
 * waits for it waits too). The round marks them fanned out as it publishes them: no job, no fan-out
 * statement, no further version of the row. A subscription made after the round's snapshot is made
 * after their changes committed, and a subscription never receives changes from before it.
 */
export function nothingToFanOut(rows: readonly RelayRow[]): RelayRow[] {
  const done = new Set<string>();
  for (const row of rows) {
    if (row.unpublished && !row.selected && (row.waiting_for === null || done.has(row.waiting_for))) done.add(row.id);
  }
  return rows.filter((row) => done.has(row.id));
}

/**
 * Stamps the locked rows not stamped yet (head + 1, head + 2, … in position order) and,
 * when $2, marks the unpublished ones published, and those of $4 fanned out as well (nothing
 * to fan out): one row version per row for all of it.
 */
const STAMP_AND_PUBLISH_SQL = `
  WITH batch AS (
    SELECT o.position, o.feed_position IS NULL AS unstamped, (o.published_at IS NULL AND $2::boolean) AS publish
    FROM outbox_events o WHERE o.position = ANY($1::bigint[])
  ), numbered AS (
    SELECT b.position, b.publish,
           CASE WHEN b.unstamped THEN f.head + row_number() OVER (PARTITION BY b.unstamped ORDER BY b.position) END
             AS stamp
    FROM batch b, events_feed f
  ), updated AS (
    UPDATE outbox_events o
    SET feed_position = COALESCE(n.stamp, o.feed_position),
        published_at = CASE WHEN n.publish THEN now() ELSE o.published_at END,
        fanned_out_at = CASE WHEN n.publish AND n.position = ANY($4::bigint[]) THEN now() ELSE o.fanned_out_at END
    FROM numbered n WHERE o.position = n.position AND (n.stamp IS NOT NULL OR n.publish)
    RETURNING n.stamp
  ), moved AS (
    UPDATE events_feed SET head = (SELECT max(stamp) FROM updated)
    WHERE EXISTS (SELECT 1 FROM updated WHERE stamp IS NOT NULL)
    RETURNING head
  )
  SELECT (SELECT count(*) FROM updated WHERE stamp IS NOT NULL)::int AS stamped,
         (SELECT pg_notify($3, head::text) FROM moved) AS notified`;

/**
 * Gives committed outbox rows their feed position.
 *
 * Why no event can appear behind a cursor handed out (the feed's promise):
 * - One stamper at a time: a transaction-level advisory lock, and the head row
 *   locked FOR UPDATE besides, so stamp transactions are serialised; each reads
 *   the head (the highest position) after the previous one committed.
 * - A stamp transaction numbers the rows it stamps head + 1, head + 2, … and
 *   moves the head in the same transaction. So every snapshot sees exactly the
 *   positions up to the head it sees, with no hole: a later stamp can only use
 *   numbers above every head any earlier snapshot saw.
 * - The feed serves rows with position > cursor and ≤ the head of its own
 *   snapshot, and never hands out a cursor beyond that head. Whatever is stamped
 *   afterwards is numbered above it, so it comes after the cursor.
 * - Only committed rows are visible, so a row is stamped after its change
 *   committed; a long transaction's row simply gets a later position.
 * Per-subject order: OutboxService inserts a subject's later change only after
 * acquiring the subject's row lock, i.e. after the earlier change committed (and
 * became visible to every later snapshot). So a stamp round that sees the later
 * row sees the earlier one too (or it was stamped before), and numbers them in
 * insertion (`position`) order: the later change gets the larger position.
 *
 * Stamping does not touch Redis, so the feed goes on while Redis is down. Rows
 * are locked in `position` order, as the relay's publication locks them, so
 * the two never deadlock.
 */
@Injectable()
export class FeedStamper {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Stamps up to `limit` committed rows in one transaction and notifies the feed
   * channel at its commit. Returns how many it stamped (0 when another replica is stamping).
   */
  async stampBatch(limit = STAMP_BATCH): Promise<number> {
    return this.dataSource.transaction(async (em) => {
      const [{ leader }] = await em.query<[{ leader: boolean }]>(`SELECT pg_try_advisory_xact_lock($1) AS leader`, [
        STAMP_LOCK_KEY,
      ]);
      if (!leader) return 0;
      await em.query(`SELECT head FROM events_feed FOR UPDATE`);
      // A new statement, a new snapshot: it sees every stamp committed before the lock was ours.
      const [row] = await em.query<[{ stamped: number }]>(
        `WITH batch AS (
           SELECT position FROM outbox_events WHERE feed_position IS NULL
           ORDER BY position LIMIT $1 FOR UPDATE
         ), numbered AS (
           SELECT batch.position, f.head + row_number() OVER (ORDER BY batch.position) AS feed_position
           FROM batch, events_feed f
         ), stamped AS (
           UPDATE outbox_events o SET feed_position = numbered.feed_position
           FROM numbered WHERE o.position = numbered.position
           RETURNING numbered.feed_position
         ), moved AS (
           UPDATE events_feed SET head = (SELECT max(feed_position) FROM stamped)
           WHERE EXISTS (SELECT 1 FROM stamped)
           RETURNING head
         )
         SELECT (SELECT count(*) FROM stamped)::int AS stamped,
                (SELECT pg_notify($2, head::text) FROM moved) AS notified`,
        [limit, EVENTS_FEED_CHANNEL],
      );
      return row.stamped;
    });
  }

  /**
   * The outbox relay's round: stamps committed rows and marks them published in one
   * transaction, one row version each, rather than a stamp round and a publication
   * round each writing the wide row again. Same locks and order as `stampBatch`, and
   * the relay's lock (`relayLockKey`) besides; the rows are locked in `position`
   * order, as the fan-out never locks a row not published yet.
   *
   * `publish` is given the ids of the rows not published yet that need the fan-out
   * (all but nothingToFanOut's), in `position` order, and hands them to the fan-out
   * queue: true, the rows not published yet are marked published in the same statement
   * that stamps them, and those that need no fan-out marked fanned out too; false (Redis
   * away), they are only stamped, and the feed goes on. When none needs the fan-out,
   * `publish` is not called (Redis has no part in it). Every row not stamped is among the
   * rows taken, and every row published by this round is stamped by it or before, so a
   * row is never published before it has its feed position.
   */
  async stampAndPublish(
    limit: number,
    relayLockKey: number,
    publish: (eventIds: string[]) => Promise<boolean>,
  ): Promise<RelayRound> {
    return this.dataSource.transaction(async (em) => {
      const [{ relay, stamp }] = await runStatement<{ relay: boolean; stamp: boolean }>(
        em,
        `SELECT pg_try_advisory_xact_lock($1) AS relay, pg_try_advisory_xact_lock($2) AS stamp`,
        [relayLockKey, STAMP_LOCK_KEY],
      );
      if (!relay || !stamp) return { rows: 0, published: 0 };
      await runStatement(em, `SELECT head FROM events_feed FOR UPDATE`, []);
      // A new statement, a new snapshot: it sees every stamp committed before the lock was ours.
      const rows = await runStatement<RelayRow>(em, RELAY_ROWS_SQL, [limit], PLANNED_EACH_TIME);
      if (rows.length === 0) return { rows: 0, published: 0 };
      const unpublished = rows.filter((row) => row.unpublished);
      const done = new Set(nothingToFanOut(rows));
      const toFanOut = unpublished.filter((row) => !done.has(row)).map((row) => row.id);
      const published = unpublished.length > 0 && (toFanOut.length === 0 || (await publish(toFanOut)));
      await runStatement(
        em,
        STAMP_AND_PUBLISH_SQL,
        [rows.map((row) => row.position), published, EVENTS_FEED_CHANNEL, [...done].map((row) => row.position)],
        PLANNED_EACH_TIME,
      );
      return { rows: rows.length, published: published ? unpublished.length : 0 };
    });
  }

  /** Stamps until nothing committed is left unstamped; returns how many it stamped. */
  async stampAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const stamped = await this.stampBatch();
      total += stamped;
      if (stamped < STAMP_BATCH) return total;
    }
  }
}
