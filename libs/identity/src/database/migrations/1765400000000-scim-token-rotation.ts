import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Two-phase rotation of SCIM tokens: a new token names the one it replaces, and both
 * work until the rotation is completed (the old one revoked) or cancelled (the new one
 * revoked). A token has at most one unrevoked successor, so two rotations of the same
 * token at once cannot both succeed, whichever process runs them.
 */
export class ScimTokenRotation1765400000000 implements MigrationInterface {
  name = 'ScimTokenRotation1765400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE scim_tokens ADD COLUMN replaces_token_id uuid REFERENCES scim_tokens (id) ON DELETE SET NULL`,
    );
    await db.query(
      `CREATE UNIQUE INDEX scim_tokens_one_rotation_key ON scim_tokens (replaces_token_id)
        WHERE revoked_at IS NULL AND replaces_token_id IS NOT NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE scim_tokens DROP COLUMN replaces_token_id`);
  }
}
