import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Setup links: single-use secrets that open a tenant's setup portal. Only the secret's
 * SHA-256 is kept (unique, so a redemption is one indexed lookup); a link is used once
 * (`used_at`), expires, and can be revoked.
 */
export class SetupLinks1765200000000 implements MigrationInterface {
  name = 'SetupLinks1765200000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE setup_links (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        secret_hash bytea NOT NULL UNIQUE,
        scopes      text[] NOT NULL,
        email       text,
        created_at  timestamptz NOT NULL DEFAULT now(),
        expires_at  timestamptz NOT NULL,
        used_at     timestamptz,
        revoked_at  timestamptz,
        created_by  text NOT NULL
      )`);
    await db.query(`CREATE INDEX setup_links_tenant_idx ON setup_links (tenant_id, created_at DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE setup_links`);
  }
}
