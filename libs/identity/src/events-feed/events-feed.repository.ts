import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { IdentityEvent } from '../events/identity-event';

/** What a feed read selects: positions after `after` (the oldest retained when null), of these types and tenants. */
export interface FeedSlice {
  readonly after: string | null;
  /** Exact event types; undefined for every type. */
  readonly types: readonly string[] | undefined;
  /** Tenant ids; undefined for every tenant. */
  readonly tenantIds: readonly string[] | undefined;
  readonly limit: number;
  /** At most this many positions are looked at, so a sparse filter costs a bounded scan per request. */
  readonly window: number;
}

/** One snapshot of the feed: its head and retention horizon, and the events of the slice it read. */
export interface FeedRead {
  readonly head: string;
  readonly prunedThrough: string;
  /** The position the read started after (the slice's `after`, or the retention horizon). */
  readonly after: string;
  readonly events: { readonly position: string; readonly event: IdentityEvent }[];
}

/** The SQL of the events feed: reads only stamped positions, up to the head of the statement's own snapshot. */
@Injectable()
export class EventsFeedRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Reads a slice in one statement, so the head and the rows come from one snapshot. */
  async read(slice: FeedSlice): Promise<FeedRead> {
    const rows = await this.dataSource.query<
      { head: string; pruned_through: string; after: string; position: string | null; payload: IdentityEvent | null }[]
    >(
      // LIMIT 1 tells the planner what the single-row table holds, so it never plans for (or compiles, JIT) more.
      `SELECT feed.head::text, feed.pruned_through::text, feed.after::text, e.feed_position::text AS position, e.payload
       FROM (SELECT head, pruned_through, COALESCE($1::bigint, pruned_through) AS after FROM events_feed LIMIT 1) feed
       LEFT JOIN LATERAL (
         SELECT o.feed_position, o.payload FROM outbox_events o
         WHERE o.feed_position > feed.after AND o.feed_position <= LEAST(feed.head, feed.after + $5::bigint)
           AND ($2::text[] IS NULL OR o.type = ANY($2::text[]))
           AND ($3::uuid[] IS NULL OR o.tenant_id = ANY($3::uuid[]))
         ORDER BY o.feed_position
         LIMIT $4
       ) e ON true
       ORDER BY e.feed_position`,
      [slice.after, slice.types ?? null, slice.tenantIds ?? null, slice.limit, slice.window],
    );
    const [first] = rows;
    return {
      head: first.head,
      prunedThrough: first.pruned_through,
      after: first.after,
      events: rows
        .filter((row) => row.position !== null)
        .map((row) => ({ position: row.position!, event: row.payload! })),
    };
  }

  /** The feed's head in the caller's transaction (a directory page's snapshot). */
  async head(em: EntityManager): Promise<string> {
    const [row] = await em.query<[{ head: string }]>(`SELECT head::text FROM events_feed`);
    return row.head;
  }

  /**
   * Deletes, in feed order, up to `limit` events older than `olderThanMs`, stopping at
   * the first one still needed (younger, or not yet fanned out); an event a delivery
   * still waits on is kept for that delivery but leaves the feed all the same. Moves
   * the retention horizon; returns how many positions it passed.
   */
  async prune(olderThanMs: number, limit: number): Promise<number> {
    const [row] = await this.dataSource.query<[{ passed: number }]>(
      `WITH feed AS (SELECT pruned_through FROM events_feed FOR UPDATE),
       candidates AS (
         SELECT o.position, o.feed_position, o.id,
                (o.occurred_at < now() - make_interval(secs => $1::float8 / 1000) AND o.fanned_out_at IS NOT NULL) AS old
         FROM outbox_events o, feed
         WHERE o.feed_position > feed.pruned_through
         ORDER BY o.feed_position
         LIMIT $2
       ), horizon AS (
         SELECT COALESCE(
           (SELECT min(feed_position) - 1 FROM candidates WHERE NOT old),
           (SELECT max(feed_position) FROM candidates),
           (SELECT pruned_through FROM feed)
         ) AS through
       ), deleted AS (
         DELETE FROM outbox_events o USING candidates c, horizon h
         WHERE o.position = c.position AND c.feed_position <= h.through
           AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = c.id AND d.status <> 'delivered')
         RETURNING o.position
       ), moved AS (
         UPDATE events_feed f SET pruned_through = h.through FROM horizon h, feed
         WHERE h.through > feed.pruned_through
         RETURNING f.pruned_through - feed.pruned_through AS passed
       )
       SELECT COALESCE((SELECT passed FROM moved), 0)::int AS passed, (SELECT count(*) FROM deleted) AS deleted`,
      [olderThanMs, limit],
    );
    return row.passed;
  }
}
