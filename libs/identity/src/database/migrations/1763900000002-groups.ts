import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SCIM groups, and their memberships in a table of their own: adding or
 * removing one member costs the same in a group of 5 as in one of 50,000.
 * Composite foreign keys make a membership across tenants impossible.
 */
export class Groups1763900000002 implements MigrationInterface {
  name = 'Groups1763900000002';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE users ADD CONSTRAINT users_tenant_id_id_key UNIQUE (tenant_id, id)`);
    await db.query(`
      CREATE TABLE groups (
        id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        display_name text NOT NULL,
        external_id  text,
        resource     jsonb NOT NULL,
        version      integer NOT NULL DEFAULT 1,
        created_at   timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        updated_at   timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        UNIQUE (tenant_id, id)
      )`);
    // displayName is unique per tenant, case-insensitively (Okta pushes groups by name).
    await db.query(`CREATE UNIQUE INDEX groups_tenant_display_name_key ON groups (tenant_id, lower(display_name))`);
    await db.query(`CREATE INDEX groups_tenant_external_id_idx ON groups (tenant_id, external_id)`);
    await db.query(`CREATE INDEX groups_tenant_created_idx ON groups (tenant_id, created_at, id)`);
    await db.query(`
      CREATE TABLE group_members (
        tenant_id uuid NOT NULL,
        group_id  uuid NOT NULL,
        user_id   uuid NOT NULL,
        added_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (group_id, user_id),
        FOREIGN KEY (tenant_id, group_id) REFERENCES groups (tenant_id, id) ON DELETE CASCADE,
        FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
      )`);
    // A user's groups (their read-only `groups` attribute, and removal when the user is deleted).
    await db.query(`CREATE INDEX group_members_user_idx ON group_members (user_id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE group_members`);
    await db.query(`DROP TABLE groups`);
    await db.query(`ALTER TABLE users DROP CONSTRAINT users_tenant_id_id_key`);
  }
}
