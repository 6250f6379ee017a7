import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The vendor's products as OIDC clients of the gateway's OpenID Provider. The
 * secret is sealed with SECRETS_KEY (context: the client id); a public client
 * has none. `tenants` holds slugs, or '*' for every tenant.
 */
export class ProductClients1764900000000 implements MigrationInterface {
  name = 'ProductClients1764900000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE product_clients (
        client_id                 text PRIMARY KEY,
        name                      text NOT NULL,
        public                    boolean NOT NULL DEFAULT false,
        secret_sealed             bytea,
        redirect_uris             text[] NOT NULL DEFAULT '{}',
        post_logout_redirect_uris text[] NOT NULL DEFAULT '{}',
        backchannel_logout_uri    text,
        tenants                   text[] NOT NULL DEFAULT '{*}',
        grant_types               text[] NOT NULL,
        created_at                timestamptz NOT NULL DEFAULT now(),
        updated_at                timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT product_clients_secret CHECK (public = (secret_sealed IS NULL))
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE product_clients`);
  }
}
