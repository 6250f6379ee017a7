import { loggableMessage } from '@app/platform/logging/loggable-error';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { EventQueues } from '@app/identity/deliveries/event-queues';
import { withTimeout } from '@app/identity/deliveries/with-timeout';
import { APP_CONFIG, PgListener, ResolvedConfig } from '@app/platform';
import { DataSource } from 'typeorm';
import { FanOutMetrics } from '../metrics/fan-out.metrics';
import { OUTBOX_CHANNEL } from '@app/identity/events/relay-wake-up';
import { FeedStamper, RelayRound } from '@app/identity/events-feed/feed-stamper';

/** Rows moved per transaction. */
const BATCH = 500;
/** Events per fan-out job: one job and one fan-out statement for the events of a round, not one each. */
const FAN_OUT_BATCH = 100;
/**
 * Rounds start at most this often: a notification within this time of the last round's
 * start waits for the rest of it, so the commits of those milliseconds go out in one
 * round (one transaction, one `addBulk`, one fan-out job) rather than one round each.
 * At hundreds of commits a second, rounds back to back cost PostgreSQL more than the
 * events; a notification after a quiet spell starts a round at once.
 */
const ROUND_SPACING_MS = 10;
/** The safety net under LISTEN/NOTIFY (a wake-up lost while reconnecting or with a writer that stopped, a Redis outage). */
const POLL_MS = 1000;
/** How long the relay waits for Redis before giving the batch back to the outbox. */
const REDIS_TIMEOUT_MS = 5000;
/**
 * How long a round that stamps as well waits for Redis: the feed waits with it (once, as
 * Redis goes away; then stamping runs in rounds of its own). Giving up early costs little:
 * the rows are stamped, and a publication round hands them to Redis again (same batch, same job id).
 */
const ROUND_REDIS_TIMEOUT_MS = 2000;
/** How often, and after how long, relayed events whose fan-out never ran are handed to the queue again. */
const REPAIR_EVERY_MS = 30_000;
const REPAIR_AFTER_S = 60;
// An arbitrary, fixed key (beside the migration lock's): held by the one replica relaying right now.
const RELAY_LOCK_KEY = 7_401_955_121;

/**
 * Moves committed outbox rows to the fan-out queue, oldest first, and marks them published.
 * An event no subscription selects (and whose subject has no earlier change still waiting
 * for its fan-out) has nothing to fan out: the round marks it fanned out as it publishes it,
 * and it never goes to Redis (see FeedStamper.stampAndPublish).
 *
 * Replicas: each batch runs in a transaction that first takes a transaction-level
 * advisory lock with `pg_try_advisory_xact_lock`; a replica that does not get it
 * skips the round. So one relay at a time publishes, in `position` order, and a
 * relay that dies mid-batch (SIGKILL) releases the lock and its rows with its connection.
 *
 * Order: a subject's changes are serialised by OutboxService's row lock, so the
 * later one is inserted (larger position) only after the earlier one committed:
 * when the relay sees a subject's change, it sees the ones before it too.
 *
 * Fan-out jobs: one per round (per FAN_OUT_BATCH events), its id a hash of its event
 * ids. If the commit after `addBulk` fails, the next round adds the same batch again
 * (BullMQ ignores it) or, with rows committed meanwhile, another batch, whose fan-out
 * finds the events fanned out already and only adds jobs for their pending deliveries.
 *
 * Redis away: `addBulk` times out, the transaction rolls back, the rows wait in
 * PostgreSQL (SCIM, which only writes PostgreSQL, is unaffected), and go out on a later round.
 * Redis losing its data (a restart without persistence) after a row was relayed: the
 * repair round finds relayed rows never fanned out and adds their jobs again.
 *
 * Feed positions: a round stamps the rows it publishes in the same statement
 * (FeedStamper.stampAndPublish, where the proof of the feed's order is): one new
 * version of the wide row per event for both. When Redis does not take a batch, the
 * round stamps only, and until Redis takes one again the relay works as two: the
 * FeedStamper's rounds, started at once on each notification and never touching
 * Redis (the events feed goes on while Redis is down), and publication rounds of
 * rows already stamped, which try Redis and wait for it. Both lock rows in
 * `position` order, so they never deadlock.
 */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRelayService.name);
  private readonly listener: PgListener;
  private timer: NodeJS.Timeout | undefined;
  private repairTimer: NodeJS.Timeout | undefined;
  private gathering: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private lastRoundAt = 0;
  /** Redis refused or timed out the last batch: stamp and publish in rounds of their own until it takes one. */
  private redisAway = false;
  private stamping: Promise<void> | undefined;
  private stampAgain = false;
  private lastStampReported = 0;
  private stopped = false;
  private lastReported = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly queues: EventQueues,
    private readonly metrics: FanOutMetrics,
    private readonly stamper: FeedStamper,
    @Inject(APP_CONFIG) config: ResolvedConfig,
  ) {
    this.listener = new PgListener(config.databaseUrl, OUTBOX_CHANNEL, () => {
      // While Redis is away, stamping goes on in rounds of its own, at once (a long-poll waits on it).
      if (!this.stopped && this.redisAway) this.stamp();
      this.wakeSoon();
    });
  }

  onApplicationBootstrap(): void {
    this.listener.start();
    this.timer = setInterval(() => this.wake(), POLL_MS);
    this.repairTimer = setInterval(() => void this.repair(), REPAIR_EVERY_MS);
    this.wake();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearInterval(this.repairTimer);
    clearTimeout(this.gathering);
    await this.listener.stop();
    await Promise.all([this.running, this.stamping]);
  }

  /** Runs a relay round ROUND_SPACING_MS after the last one started (at once if that is past). */
  private wakeSoon(): void {
    if (this.stopped || this.gathering) return;
    const wait = this.lastRoundAt + ROUND_SPACING_MS - Date.now();
    if (wait <= 0) return this.wake();
    this.gathering = setTimeout(() => {
      this.gathering = undefined;
      this.wake();
    }, wait);
  }

  /** Runs a relay round now, or (spaced) right after the one in progress. */
  wake(): void {
    if (this.stopped) return;
    if (this.redisAway) this.stamp();
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.wakeSoon();
      }
    });
  }

  /** Runs a stamping round now, or right after the one in progress. */
  private stamp(): void {
    if (this.stamping) {
      this.stampAgain = true;
      return;
    }
    this.stamping = this.stamper
      .stampAll()
      .then(
        // Rows stamped while Redis is away: a publication round tries them (and Redis) now.
        (stamped) => {
          if (stamped > 0 && this.redisAway) this.wakeSoon();
        },
        (error: Error) => {
          if (Date.now() - this.lastStampReported > 30_000) {
            this.lastStampReported = Date.now();
            this.logger.warn(`events feed stamping paused: ${loggableMessage(error)}`);
          }
        },
      )
      .finally(() => {
        this.stamping = undefined;
        if (this.stampAgain && !this.stopped) {
          this.stampAgain = false;
          this.stamp();
        }
      });
  }

  private async drain(): Promise<void> {
    try {
      while (!this.stopped) {
        this.lastRoundAt = Date.now();
        const moved = this.redisAway ? await this.relayBatch() : await this.relayRound();
        if (moved < BATCH) return; // a full batch: more may wait
      }
    } catch (error) {
      if (Date.now() - this.lastReported > 30_000) {
        this.lastReported = Date.now();
        this.logger.warn(`outbox relay paused, events wait in PostgreSQL: ${loggableMessage(error)}`);
      }
    }
  }

  /**
   * Re-adds the fan-out jobs of events relayed a while ago but never fanned out
   * (their jobs were lost with Redis's data). A job still in the queue has the
   * same id, so for the merely slow ones this is a no-op.
   */
  async repair(): Promise<number> {
    try {
      return (await this.unfannedOut(REPAIR_AFTER_S, undefined)).length;
    } catch (error) {
      this.logger.warn(`outbox repair skipped: ${loggableMessage(error)}`);
      return 0;
    }
  }

  /**
   * Redis lost its data: re-adds the fan-out job of every relayed event not fanned
   * out yet, however recent, in `position` order. Throws when PostgreSQL or Redis fails.
   */
  async repairAfterDataLoss(): Promise<number> {
    let total = 0;
    let after: string | undefined;
    for (;;) {
      const positions = await this.unfannedOut(0, after);
      total += positions.length;
      if (positions.length < BATCH) return total;
      after = positions[positions.length - 1];
    }
  }

  /** Re-adds one batch of fan-out jobs (relayed at least `ageSeconds` ago, after `after`); returns their positions. */
  private async unfannedOut(ageSeconds: number, after: string | undefined): Promise<string[]> {
    const rows = await this.dataSource.query<{ id: string; position: string }[]>(
      `SELECT o.id, o.position::text AS position FROM outbox_events o
       WHERE o.fanned_out_at IS NULL AND o.published_at < now() - make_interval(secs => $1)
         AND ($3::bigint IS NULL OR o.position > $3::bigint)
       ORDER BY o.position LIMIT $2`,
      [ageSeconds, BATCH, after ?? null],
    );
    if (rows.length > 0) {
      await withTimeout(this.queues.addFanOuts(rows.map((row) => row.id)), REDIS_TIMEOUT_MS, 'Redis did not answer');
    }
    return rows.map((row) => row.position);
  }

  /**
   * Stamps and publishes one batch (one transaction, one row version per event); returns
   * how many rows it took (0 when another replica holds a lock, or Redis did not take the batch).
   */
  private async relayRound(): Promise<number> {
    let failure: Error | undefined;
    const round: RelayRound = await this.stamper.stampAndPublish(BATCH, RELAY_LOCK_KEY, async (ids) => {
      try {
        await withTimeout(
          this.queues.addFanOutBatches(ids, FAN_OUT_BATCH),
          ROUND_REDIS_TIMEOUT_MS,
          `Redis did not take the batch within ${ROUND_REDIS_TIMEOUT_MS} ms`,
        );
        return true;
      } catch (error) {
        failure = error as Error;
        return false;
      }
    });
    if (round.published > 0) this.metrics.relayedEvents(round.published);
    if (!failure) return round.rows;
    // The round stamped its rows; they wait in PostgreSQL for Redis, the feed goes on without it.
    this.redisAway = true;
    throw failure;
  }

  /**
   * While Redis is away: publishes one batch of rows stamped already; returns how many
   * rows it moved (0 when another replica holds the lease). Taken by Redis, the rounds
   * stamp and publish together again.
   */
  private async relayBatch(): Promise<number> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const [{ leader }] = (await runner.query(`SELECT pg_try_advisory_xact_lock($1) AS leader`, [RELAY_LOCK_KEY])) as [
        { leader: boolean },
      ];
      const rows = leader
        ? ((await runner.query(
            `SELECT id FROM outbox_events WHERE published_at IS NULL AND feed_position IS NOT NULL
             ORDER BY position LIMIT $1`,
            [BATCH],
          )) as { id: string }[])
        : [];
      if (rows.length === 0) {
        await runner.rollbackTransaction();
        return 0;
      }
      const ids = rows.map((row) => row.id);
      await withTimeout(
        this.queues.addFanOutBatches(ids, FAN_OUT_BATCH),
        REDIS_TIMEOUT_MS,
        `Redis did not take the batch within ${REDIS_TIMEOUT_MS} ms`,
      );
      // Rows locked in position order, as the feed stamper locks them: the two never deadlock.
      await runner.query(
        `UPDATE outbox_events SET published_at = now()
         WHERE position = ANY(SELECT position FROM outbox_events WHERE id = ANY($1::uuid[]) ORDER BY position FOR UPDATE)`,
        [ids],
      );
      await runner.commitTransaction();
      this.redisAway = false;
      this.metrics.relayedEvents(ids.length);
      return ids.length;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }
}
