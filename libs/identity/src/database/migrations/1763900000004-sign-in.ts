import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * OIDC sign-in: each tenant's connection to its IdP, the link from an IdP
 * identity to a user, what a tenant administrator grants (roles, teams, rules
 * from IdP groups to roles), tombstones of deleted users, and the keys that sign
 * tokens for downstream products.
 */
export class SignIn1763900000004 implements MigrationInterface {
  name = 'SignIn1763900000004';

  async up(db: QueryRunner): Promise<void> {
    // One connection per tenant; the client secret is sealed with SECRETS_KEY, bound to the tenant id.
    // version comes from a sequence, so a connection deleted and set again never repeats a version
    // that a cached client configuration could mistake for its own.
    await db.query(`CREATE SEQUENCE oidc_connection_versions AS integer`);
    await db.query(`
      CREATE TABLE oidc_connections (
        tenant_id                  uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
        issuer                     text NOT NULL,
        client_id                  text NOT NULL,
        client_secret_sealed       bytea NOT NULL,
        token_endpoint_auth_method text NOT NULL DEFAULT 'client_secret_basic',
        scopes                     text[] NOT NULL,
        groups_claim               text,
        post_logout_redirect_uri   text,
        allowed_return_urls        text[] NOT NULL DEFAULT '{}',
        external_id_claim          text NOT NULL DEFAULT 'sub',
        version                    integer NOT NULL DEFAULT nextval('oidc_connection_versions'),
        created_at                 timestamptz NOT NULL DEFAULT now(),
        updated_at                 timestamptz NOT NULL DEFAULT now()
      )`);

    // (issuer, sub) names one person at one IdP. No foreign key to users: the link
    // outlives a deleted user, so that person stays refused instead of being re-created.
    // profile holds the claims of the last sign-in (name, email, groups). A user has at
    // most one identity per issuer, so no second person can be linked to them.
    await db.query(`
      CREATE TABLE user_identities (
        tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        issuer          text NOT NULL,
        subject         text NOT NULL,
        user_id         uuid NOT NULL,
        profile         jsonb NOT NULL DEFAULT '{}',
        created_at      timestamptz NOT NULL DEFAULT now(),
        last_sign_in_at timestamptz,
        PRIMARY KEY (tenant_id, issuer, subject)
      )`);
    await db.query(`CREATE UNIQUE INDEX user_identities_user_key ON user_identities (tenant_id, issuer, user_id)`);

    // What a user deleted through SCIM was known by, so a later sign-in as them is refused.
    await db.query(`
      CREATE TABLE deleted_users (
        tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        user_id     uuid NOT NULL,
        user_name   text NOT NULL,
        external_id text,
        deleted_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, user_id)
      )`);
    await db.query(`CREATE INDEX deleted_users_external_id_idx ON deleted_users (tenant_id, external_id)`);
    await db.query(`CREATE INDEX deleted_users_user_name_idx ON deleted_users (tenant_id, lower(user_name))`);

    // roles and teams are granted by a tenant administrator; idp_groups and rule_roles
    // are what the last sign-in's groups claim said and the roles the tenant's rules derived.
    await db.query(`
      ALTER TABLE users
        ADD COLUMN roles           text[] NOT NULL DEFAULT '{}',
        ADD COLUMN teams           text[] NOT NULL DEFAULT '{}',
        ADD COLUMN idp_groups      text[] NOT NULL DEFAULT '{}',
        ADD COLUMN rule_roles      text[] NOT NULL DEFAULT '{}',
        ADD COLUMN last_sign_in_at timestamptz`);

    // Members of an IdP group (by display name, case-insensitively) get these roles.
    await db.query(`
      CREATE TABLE group_role_rules (
        tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        group_name text NOT NULL,
        roles      text[] NOT NULL,
        position   integer NOT NULL
      )`);
    await db.query(`CREATE UNIQUE INDEX group_role_rules_key ON group_role_rules (tenant_id, lower(group_name))`);

    // Keys that sign downstream tokens; the private half is sealed with SECRETS_KEY.
    await db.query(`
      CREATE TABLE signing_keys (
        kid                 text PRIMARY KEY,
        alg                 text NOT NULL,
        public_jwk          jsonb NOT NULL,
        private_key_sealed  bytea NOT NULL,
        created_at          timestamptz NOT NULL DEFAULT now(),
        retired_at          timestamptz
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE signing_keys`);
    await db.query(`DROP TABLE group_role_rules`);
    await db.query(`
      ALTER TABLE users
        DROP COLUMN roles, DROP COLUMN teams, DROP COLUMN idp_groups, DROP COLUMN rule_roles, DROP COLUMN last_sign_in_at`);
    await db.query(`DROP TABLE deleted_users`);
    await db.query(`DROP TABLE user_identities`);
    await db.query(`DROP TABLE oidc_connections`);
    await db.query(`DROP SEQUENCE oidc_connection_versions`);
  }
}
