import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Three records read by operators and tenant administrators:
 * - `audit_log`: every state-changing admin action (who, what, which tenant, before/after, from where).
 *   Append-only: a trigger refuses UPDATE; only retention deletes rows. Entries outlive their tenant,
 *   so `tenant_id` has no foreign key and the slug is kept beside it.
 * - `scim_request_log`: each authenticated SCIM request of a tenant (never a query string or a body).
 * - `sign_in_failures`: each refused sign-in of a tenant, with its reason.
 * The two per-tenant logs go with their tenant. Each table is read newest first by its id, and
 * pruned by age.
 */
export class AuditAndRequestLog1765100000000 implements MigrationInterface {
  name = 'AuditAndRequestLog1765100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE audit_log (
        id          bigserial PRIMARY KEY,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        actor_type  text NOT NULL CHECK (actor_type IN ('operator', 'user', 'setup_link')),
        actor_id    text NOT NULL,
        actor_label text,
        tenant_id   uuid,
        tenant_slug text,
        action      text NOT NULL,
        method      text NOT NULL,
        route       text NOT NULL,
        target      jsonb NOT NULL DEFAULT '{}',
        status      smallint NOT NULL,
        request     jsonb,
        before      jsonb,
        after       jsonb,
        ip          text,
        user_agent  text,
        request_id  text
      )`);
    await db.query(`CREATE INDEX audit_log_tenant_idx ON audit_log (tenant_id, id)`);
    await db.query(`CREATE INDEX audit_log_actor_idx ON audit_log (actor_type, actor_id, id)`);
    await db.query(`CREATE INDEX audit_log_occurred_at_idx ON audit_log (occurred_at)`);
    await db.query(`
      CREATE FUNCTION audit_log_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await db.query(`
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_update()`);

    await db.query(`
      CREATE TABLE scim_request_log (
        id          bigserial PRIMARY KEY,
        tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        token_id    uuid,
        occurred_at timestamptz NOT NULL,
        method      text NOT NULL,
        path        text NOT NULL,
        status      smallint NOT NULL,
        scim_type   text,
        duration_ms integer NOT NULL,
        user_agent  text,
        detail      text
      )`);
    await db.query(`CREATE INDEX scim_request_log_tenant_idx ON scim_request_log (tenant_id, id)`);
    await db.query(`CREATE INDEX scim_request_log_occurred_at_idx ON scim_request_log (occurred_at)`);

    await db.query(`
      CREATE TABLE sign_in_failures (
        id          bigserial PRIMARY KEY,
        tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        occurred_at timestamptz NOT NULL,
        status      smallint NOT NULL,
        reason      text NOT NULL,
        detail      text,
        ip          text,
        user_agent  text
      )`);
    await db.query(`CREATE INDEX sign_in_failures_tenant_idx ON sign_in_failures (tenant_id, id)`);
    await db.query(`CREATE INDEX sign_in_failures_occurred_at_idx ON sign_in_failures (occurred_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE sign_in_failures`);
    await db.query(`DROP TABLE scim_request_log`);
    await db.query(`DROP TABLE audit_log`);
    await db.query(`DROP FUNCTION audit_log_refuse_update()`);
  }
}
