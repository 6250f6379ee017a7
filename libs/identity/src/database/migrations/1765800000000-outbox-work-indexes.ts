import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox's indexes of pending work, fitted to the queries that read them.
 *
 * - The relay's round takes rows `published_at IS NULL OR feed_position IS NULL` in position
 *   order. With one partial index per half, PostgreSQL answered it with a bitmap OR and a sort:
 *   a bitmap scan never marks the entries of rows already handled as dead, so every round
 *   visited the heap of every row relayed since the last vacuum (thousands of pages a round
 *   under load). One index with the round's own predicate is read in order, up to the limit,
 *   and skips the entries it found dead before. The old `unpublished` index served only that
 *   round and the publication round while Redis is away (`published_at IS NULL AND
 *   feed_position IS NOT NULL`), which the new one serves too.
 * - A row has no feed position until it is stamped: the feed's unique and per-tenant indexes
 *   no longer hold an entry for every row not stamped yet (two index writes fewer per event,
 *   and the stamper's `feed_position IS NULL` is read from its own index, never from these).
 */
export class OutboxWorkIndexes1765800000000 implements MigrationInterface {
  name = 'OutboxWorkIndexes1765800000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE INDEX outbox_events_relay_idx ON outbox_events (position)
        WHERE published_at IS NULL OR feed_position IS NULL`,
    );
    await db.query(`DROP INDEX outbox_events_unpublished_idx`);
    await db.query(`DROP INDEX outbox_events_feed_position_key`);
    await db.query(
      `CREATE UNIQUE INDEX outbox_events_feed_position_key ON outbox_events (feed_position)
        WHERE feed_position IS NOT NULL`,
    );
    await db.query(`DROP INDEX outbox_events_tenant_feed_idx`);
    await db.query(
      `CREATE INDEX outbox_events_tenant_feed_idx ON outbox_events (tenant_id, feed_position)
        WHERE feed_position IS NOT NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX outbox_events_tenant_feed_idx`);
    await db.query(`CREATE INDEX outbox_events_tenant_feed_idx ON outbox_events (tenant_id, feed_position)`);
    await db.query(`DROP INDEX outbox_events_feed_position_key`);
    await db.query(`CREATE UNIQUE INDEX outbox_events_feed_position_key ON outbox_events (feed_position)`);
    await db.query(`CREATE INDEX outbox_events_unpublished_idx ON outbox_events (position) WHERE published_at IS NULL`);
    await db.query(`DROP INDEX outbox_events_relay_idx`);
  }
}
