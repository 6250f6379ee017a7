import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SCIM users. The whole SCIM resource lives in `resource` (JSONB); the
 * attributes people filter, sort and page on are also columns with indexes.
 * Times keep milliseconds, the precision of `meta` (ISO 8601 in JSON), so that
 * `meta.lastModified gt "<a user's own lastModified>"` does not match that user.
 */
export class Users1763900000001 implements MigrationInterface {
  name = 'Users1763900000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE users (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        user_name     text NOT NULL,
        external_id   text,
        active        boolean NOT NULL DEFAULT true,
        email_values  text[] NOT NULL DEFAULT '{}',
        resource      jsonb NOT NULL,
        password_hash text,
        version       integer NOT NULL DEFAULT 1,
        created_at    timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        updated_at    timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
      )`);
    // RFC 7643 §4.1.1: userName is unique per service provider, case-insensitively.
    await db.query(`CREATE UNIQUE INDEX users_tenant_user_name_key ON users (tenant_id, lower(user_name))`);
    await db.query(`CREATE INDEX users_tenant_external_id_idx ON users (tenant_id, external_id)`);
    // email_values holds lower() of every emails[].value, for indexed `emails.value eq` lookups.
    await db.query(`CREATE INDEX users_email_values_idx ON users USING gin (email_values)`);
    // The default listing order, and a stable one: an import pages through it.
    await db.query(`CREATE INDEX users_tenant_created_idx ON users (tenant_id, created_at, id)`);
    await db.query(`CREATE INDEX users_tenant_updated_idx ON users (tenant_id, updated_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE users`);
  }
}
