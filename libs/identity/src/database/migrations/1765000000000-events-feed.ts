import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The events feed: each committed outbox row gets a `feed_position`, stamped by
 * the single relay after the row's transaction committed, gap-free and rising in
 * stamp order (see FeedStamper for why that order never lets an event appear
 * behind a cursor already handed out). `events_feed` is one row: the highest
 * position stamped (the head, read in the same snapshot as a directory page)
 * and the position retention has pruned through (older cursors are expired).
 */
export class EventsFeed1765000000000 implements MigrationInterface {
  name = 'EventsFeed1765000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE outbox_events ADD COLUMN feed_position bigint`);
    await db.query(`
      CREATE TABLE events_feed (
        singleton      boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        head           bigint NOT NULL,
        pruned_through bigint NOT NULL,
        CHECK (pruned_through <= head)
      )`);
    // What is committed now is stamped now, in insertion order: a subject's later change
    // was inserted after its earlier one committed, so its position is larger too.
    await db.query(`
      WITH numbered AS (SELECT position, row_number() OVER (ORDER BY position) AS n FROM outbox_events)
      UPDATE outbox_events o SET feed_position = numbered.n FROM numbered WHERE o.position = numbered.position`);
    await db.query(`INSERT INTO events_feed (head, pruned_through) SELECT count(*), 0 FROM outbox_events`);
    await db.query(`CREATE UNIQUE INDEX outbox_events_feed_position_key ON outbox_events (feed_position)`);
    // The stamper's "committed but not stamped yet", oldest first.
    await db.query(`CREATE INDEX outbox_events_unstamped_idx ON outbox_events (position) WHERE feed_position IS NULL`);
    // A client limited to some tenants reads their part of the feed without scanning the rest.
    await db.query(`CREATE INDEX outbox_events_tenant_feed_idx ON outbox_events (tenant_id, feed_position)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE events_feed`);
    await db.query(`ALTER TABLE outbox_events DROP COLUMN feed_position`);
  }
}
