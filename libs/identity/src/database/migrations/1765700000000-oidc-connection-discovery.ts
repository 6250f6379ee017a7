import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A tenant's OIDC connection keeps the discovery document that was checked when it was saved
 * (or last refreshed): sign-in uses these endpoints and never fetches the document itself.
 *
 * Connections saved before this have none: a migration cannot count on reaching every tenant's
 * IdP (an upgrade would stop on one IdP that is down, and the migration runner may have no way
 * out at all), so such a connection is discovered, checked and pinned once, at its first use
 * (see OidcConnectionsService.pin).
 */
export class OidcConnectionDiscovery1765700000000 implements MigrationInterface {
  name = 'OidcConnectionDiscovery1765700000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE oidc_connections ADD COLUMN server_metadata jsonb, ADD COLUMN server_metadata_checked_at timestamptz`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE oidc_connections DROP COLUMN server_metadata, DROP COLUMN server_metadata_checked_at`);
  }
}
