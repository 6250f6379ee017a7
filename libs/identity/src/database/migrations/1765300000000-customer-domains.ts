import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Domains a tenant's own administrator claims in the setup portal, proven by a DNS TXT
 * record before they route sign-ins (the operator's `tenant_domains` stay trusted as they
 * are). Several tenants may claim a domain while it is pending; only one may hold it
 * verified, which the partial unique index enforces even against a race.
 */
export class CustomerDomains1765300000000 implements MigrationInterface {
  name = 'CustomerDomains1765300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE customer_domains (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        domain      text NOT NULL,
        token       text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        verified_at timestamptz,
        UNIQUE (tenant_id, domain)
      )`);
    await db.query(
      `CREATE UNIQUE INDEX customer_domains_verified_idx ON customer_domains (domain) WHERE verified_at IS NOT NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE customer_domains`);
  }
}
