import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where a replay `since` a time starts: the smallest feed position among events
 * that occurred at or after it, read from this index over that range only,
 * instead of walking the whole retained feed from the retention horizon.
 */
export class ReplaySinceIndex1765500000000 implements MigrationInterface {
  name = 'ReplaySinceIndex1765500000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE INDEX outbox_events_occurred_feed_idx ON outbox_events (occurred_at, feed_position)
        WHERE feed_position IS NOT NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX outbox_events_occurred_feed_idx`);
  }
}
