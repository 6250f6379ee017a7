import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** One batch of a replay: the deliveries to queue, and how far in the feed it got. */
export interface ReplayBatch {
  readonly deliveries: { readonly id: string; readonly round: number }[];
  /** The feed position of the last event looked at; null when none was left. */
  readonly through: string | null;
  readonly prunedThrough: string;
}

/** Where a replay may start, read in one snapshot. */
export interface ReplayStart {
  readonly head: string;
  readonly prunedThrough: string;
  /**
   * With `since`: the position just before the first stamped event (within retention)
   * that occurred at or after it; null when none did.
   */
  readonly sinceStart: string | null;
}

/** The SQL of replays: deliveries of feed events again, under their original event ids. */
@Injectable()
export class DeliveryReplayRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The feed's head and retention horizon, and for `since` where its events begin:
   * the smallest position among events that occurred at or after it, read on the
   * (occurred_at, feed_position) index over that range only, not by walking the feed
   * from the horizon. (Positions follow commit order and occurred_at the writer's
   * clock, so a long transaction's event may sit after a later one: the minimum over
   * the range is exact where "the first by time" would not be.)
   */
  async start(since: Date | null): Promise<ReplayStart> {
    const [row] = await this.dataSource.query<[ReplayStart]>(
      `SELECT f.head::text AS head, f.pruned_through::text AS "prunedThrough",
              (SELECT (min(o.feed_position) - 1)::text FROM outbox_events o
                WHERE o.occurred_at >= $1::timestamptz AND o.feed_position IS NOT NULL
                  AND o.feed_position > f.pruned_through AND o.feed_position <= f.head) AS "sinceStart"
       FROM events_feed f`,
      [since],
    );
    return row;
  }

  /**
   * Takes the next `limit` stamped events after `after` (the retention horizon when
   * null) of these types and tenant, occurred at or after `since`, and makes each a
   * pending delivery of the subscription: a new row, or the next round of a delivered
   * or failed one. A delivery still pending is under way and is left alone.
   */
  async nextBatch(
    subscriptionId: string,
    filter: { after: string | null; since: Date | null; types: readonly string[]; tenantId: string | null },
    limit: number,
  ): Promise<ReplayBatch> {
    const [row] = await this.dataSource.query<[ReplayBatch]>(
      `WITH feed AS (SELECT head, pruned_through, COALESCE($2::bigint, pruned_through) AS after FROM events_feed LIMIT 1),
       scanned AS (
         SELECT o.id, o.tenant_id, o.type, o.subject_type, o.subject_id, o.sequence, o.occurred_at, o.feed_position
         FROM outbox_events o, feed
         -- nothing from an expired cursor: the caller refuses it, and nothing may have been queued
         WHERE o.feed_position > feed.after AND o.feed_position <= feed.head AND feed.after >= feed.pruned_through
         ORDER BY o.feed_position LIMIT $6
       ), chosen AS (
         SELECT * FROM scanned
         WHERE type = ANY($4::text[]) AND ($5::uuid IS NULL OR tenant_id = $5::uuid)
           AND ($3::timestamptz IS NULL OR occurred_at >= $3::timestamptz)
       ), upserted AS (
         INSERT INTO deliveries (subscription_id, event_id, event_type, subject_type, subject_id, sequence, occurred_at)
         SELECT $1, c.id, c.type, c.subject_type, c.subject_id, c.sequence, c.occurred_at FROM chosen c
         ORDER BY c.feed_position
         ON CONFLICT (subscription_id, event_id) DO UPDATE
           SET status = 'pending', round = deliveries.round + 1, last_error = NULL, updated_at = now()
           WHERE deliveries.status <> 'pending'
         RETURNING id, round
       )
       SELECT COALESCE((SELECT json_agg(json_build_object('id', id, 'round', round)) FROM upserted), '[]') AS deliveries,
              (SELECT max(feed_position)::text FROM scanned) AS through,
              (SELECT pruned_through::text FROM feed) AS "prunedThrough"`,
      [subscriptionId, filter.after, filter.since, filter.types, filter.tenantId, limit],
    );
    return row;
  }
}
