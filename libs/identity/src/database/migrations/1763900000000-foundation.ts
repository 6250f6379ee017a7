import { MigrationInterface, QueryRunner } from 'typeorm';

/** Tenants with their email domains, SCIM tokens, and the transactional outbox of lifecycle events. */
export class Foundation1763900000000 implements MigrationInterface {
  name = 'Foundation1763900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE tenants (
        id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        slug       text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
        name       text NOT NULL,
        sign_in    text NOT NULL DEFAULT 'jit' CHECK (sign_in IN ('jit', 'provisioned-only')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // A domain picks the tenant at sign-in (login_hint), so it belongs to one tenant at most.
    await db.query(`
      CREATE TABLE tenant_domains (
        domain    text PRIMARY KEY CHECK (domain = lower(domain)),
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE
      )`);
    await db.query(`CREATE INDEX tenant_domains_tenant_idx ON tenant_domains (tenant_id)`);
    await db.query(`
      CREATE TABLE scim_tokens (
        id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        token_hash   bytea NOT NULL UNIQUE,
        prefix       text NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        expires_at   timestamptz,
        revoked_at   timestamptz,
        last_used_at timestamptz
      )`);
    await db.query(`CREATE INDEX scim_tokens_tenant_idx ON scim_tokens (tenant_id, created_at)`);
    // Events are records of committed changes: they keep no foreign key, so they
    // outlive what they describe (a deleted user, a deleted tenant).
    await db.query(`
      CREATE TABLE outbox_events (
        position     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id           uuid NOT NULL UNIQUE,
        tenant_id    uuid NOT NULL,
        type         text NOT NULL,
        subject_type text NOT NULL,
        subject_id   text NOT NULL,
        sequence     bigint NOT NULL,
        occurred_at  timestamptz NOT NULL,
        payload      jsonb NOT NULL,
        published_at timestamptz
      )`);
    await db.query(`CREATE INDEX outbox_events_unpublished_idx ON outbox_events (position) WHERE published_at IS NULL`);
    await db.query(`CREATE INDEX outbox_events_subject_idx ON outbox_events (subject_type, subject_id, sequence)`);
    await db.query(`
      CREATE TABLE outbox_subject_sequences (
        subject_type  text NOT NULL,
        subject_id    text NOT NULL,
        last_sequence bigint NOT NULL,
        PRIMARY KEY (subject_type, subject_id)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE outbox_subject_sequences`);
    await db.query(`DROP TABLE outbox_events`);
    await db.query(`DROP TABLE scim_tokens`);
    await db.query(`DROP TABLE tenant_domains`);
    await db.query(`DROP TABLE tenants`);
  }
}
