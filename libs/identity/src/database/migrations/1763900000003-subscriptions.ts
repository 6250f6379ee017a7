import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Event subscriptions (webhooks and internal BullMQ queues) and the delivery
 * log: one row per (subscription, event), the record of truth of the fan-out.
 */
export class Subscriptions1763900000003 implements MigrationInterface {
  name = 'Subscriptions1763900000003';

  async up(db: QueryRunner): Promise<void> {
    // A subscription scoped to a tenant goes with it; tenant_id NULL means every tenant.
    await db.query(`
      CREATE TABLE subscriptions (
        id              uuid PRIMARY KEY,
        name            text NOT NULL,
        kind            text NOT NULL CHECK (kind IN ('webhook', 'queue')),
        url             text,
        queue           text,
        secret_sealed   bytea,
        events          text[] NOT NULL CHECK (cardinality(events) > 0),
        tenant_id       uuid REFERENCES tenants (id) ON DELETE CASCADE,
        enabled         boolean NOT NULL DEFAULT true,
        disabled_reason text,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        CHECK (
          (kind = 'webhook' AND url IS NOT NULL AND secret_sealed IS NOT NULL AND queue IS NULL) OR
          (kind = 'queue' AND queue IS NOT NULL AND url IS NULL AND secret_sealed IS NULL)
        )
      )`);
    // The fan-out asks "which enabled subscriptions want this type" with an array overlap.
    await db.query(`CREATE INDEX subscriptions_events_idx ON subscriptions USING gin (events) WHERE enabled`);
    await db.query(`CREATE INDEX subscriptions_tenant_idx ON subscriptions (tenant_id)`);
    await db.query(`
      CREATE TABLE deliveries (
        id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        subscription_id      uuid NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
        event_id             uuid NOT NULL,
        event_type           text NOT NULL,
        subject_type         text NOT NULL,
        subject_id           text NOT NULL,
        sequence             bigint NOT NULL,
        occurred_at          timestamptz NOT NULL,
        status               text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts             integer NOT NULL DEFAULT 0,
        round                integer NOT NULL DEFAULT 0,
        last_response_status integer,
        last_error           text,
        latency_ms           integer,
        created_at           timestamptz NOT NULL DEFAULT now(),
        updated_at           timestamptz NOT NULL DEFAULT now(),
        delivered_at         timestamptz,
        UNIQUE (subscription_id, event_id)
      )`);
    await db.query(`CREATE INDEX deliveries_log_idx ON deliveries (subscription_id, created_at DESC, id DESC)`);
    await db.query(`CREATE INDEX deliveries_event_idx ON deliveries (event_id)`);
    // Hold-back: "is an earlier change of this subject still pending for this subscriber?"
    await db.query(`
      CREATE INDEX deliveries_pending_subject_idx ON deliveries (subscription_id, subject_type, subject_id, sequence)
      WHERE status = 'pending'`);
    await db.query(`CREATE INDEX deliveries_open_idx ON deliveries (status) WHERE status IN ('pending', 'failed')`);
    await db.query(`CREATE INDEX deliveries_prune_idx ON deliveries (delivered_at) WHERE status = 'delivered'`);
    // Set when an event's deliveries are recorded, so the next change of its subject is fanned out after it.
    await db.query(`ALTER TABLE outbox_events ADD COLUMN fanned_out_at timestamptz`);
    // The relay's repair round looks for relayed events whose fan-out never ran.
    await db.query(`CREATE INDEX outbox_events_unfanned_idx ON outbox_events (position) WHERE fanned_out_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE outbox_events DROP COLUMN fanned_out_at`);
    await db.query(`DROP TABLE deliveries`);
    await db.query(`DROP TABLE subscriptions`);
  }
}
