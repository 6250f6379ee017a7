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

/** The SQL of replays: deliveries of feed events again, under their original event ids. */
@Injectable()
export class DeliveryReplayRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

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
