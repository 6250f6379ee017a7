import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, migrate } from '@app/identity/database/data-source';
import { generateScimToken } from '@app/identity/tokens/token-hasher';

/** A migrated database of the benchmark's own, dropped at the end. */
export interface BenchDatabase {
  readonly name: string;
  readonly url: string;
  /** One connection for fixtures and measurements taken beside the HTTP load. */
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  drop(): Promise<void>;
}

/** A seeded tenant and the SCIM token that names it. */
export interface BenchTenant {
  readonly id: string;
  readonly slug: string;
  readonly token: string;
  readonly users: number;
}

/** Creates `gw_bench_<random>` on the server `adminUrl` points at and runs the project's migrations on it. */
export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `gw_bench_${randomBytes(4).toString('hex')}`;
  await withClient(adminUrl, (admin) => admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`));
  const url = databaseUrlOn(adminUrl, name);
  let client: Client | undefined;
  try {
    const dataSource = await new DataSource(dataSourceOptions(url, 'gateway-bench-migrate')).initialize();
    await migrate(dataSource).finally(() => dataSource.destroy());
    client = new Client({ connectionString: url, application_name: 'gateway-bench' });
    await client.connect();
  } catch (error) {
    await client?.end().catch(() => undefined);
    await dropDatabase(adminUrl, name);
    throw error;
  }
  const connected = client;
  return {
    name,
    url,
    query: async <Row>(sql: string, params: unknown[] = []) => (await connected.query(sql, params)).rows as Row[],
    drop: async () => {
      await connected.end().catch(() => undefined);
      await dropDatabase(adminUrl, name);
    },
  };
}

/**
 * Creates a tenant with a SCIM token and `users` users in one INSERT … SELECT generate_series.
 * The rows look like what Okta provisions (userName = work email, name, externalId `00u…`), and
 * derive their columns the way the users repository does: email_values = lower() of emails[].value.
 * Users are created 1 ms apart, in userName order, so the default listing order is the seeding order;
 * times are whole milliseconds, as the columns' default makes them (the listing cursors rely on it).
 */
export async function seedTenant(
  db: BenchDatabase,
  slug: string,
  users: number,
  domain = 'acme.example',
): Promise<BenchTenant> {
  const [tenant] = await db.query<{ id: string }>(`INSERT INTO tenants (slug, name) VALUES ($1, $1) RETURNING id`, [
    slug,
  ]);
  if (!tenant) throw new Error(`tenant ${slug} was not created`);
  const generated = generateScimToken();
  await db.query(`INSERT INTO scim_tokens (tenant_id, token_hash, prefix) VALUES ($1, $2, $3)`, [
    tenant.id,
    generated.hash,
    generated.displayPrefix,
  ]);
  await db.query(
    `INSERT INTO users (tenant_id, user_name, external_id, active, email_values, resource, created_at, updated_at)
     SELECT $1, u.user_name, u.external_id, true, ARRAY[lower(u.user_name)],
            jsonb_build_object(
              'schemas', jsonb_build_array('urn:ietf:params:scim:schemas:core:2.0:User'),
              'userName', u.user_name,
              'externalId', u.external_id,
              'name', jsonb_build_object('givenName', u.given_name, 'familyName', u.family_name,
                                         'formatted', u.given_name || ' ' || u.family_name),
              'displayName', u.given_name || ' ' || u.family_name,
              'emails', jsonb_build_array(jsonb_build_object('value', u.user_name, 'type', 'work', 'primary', true)),
              'locale', 'en-US',
              'active', true),
            u.created_at, u.created_at
       FROM generate_series(1, $2::int) AS n,
            LATERAL (SELECT format('user%s@%s', n, $3::text) AS user_name,
                            '00u' || lpad(n::text, 17, '0') AS external_id,
                            'Given' || n AS given_name,
                            'Family' || n AS family_name,
                            date_trunc('milliseconds', now()) - interval '1 day' + n * interval '1 millisecond' AS created_at) AS u`,
    [tenant.id, users, domain],
  );
  return { id: tenant.id, slug, token: generated.token, users };
}

/** Ids of existing users of a tenant, in random order (for GET and PATCH by id). */
export async function randomUserIds(db: BenchDatabase, tenantId: string, limit: number): Promise<string[]> {
  const rows = await db.query<{ id: string }>(`SELECT id FROM users WHERE tenant_id = $1 ORDER BY random() LIMIT $2`, [
    tenantId,
    limit,
  ]);
  return rows.map((row) => row.id);
}

/**
 * Names of other benchmark databases (`gw_bench_*`) something is connected to right now: another
 * benchmark is running, and two at once on the same cores measure each other.
 */
export async function otherBenchmarkDatabases(db: BenchDatabase): Promise<string[]> {
  const rows = await db.query<{ datname: string }>(
    `SELECT DISTINCT datname FROM pg_stat_activity WHERE datname LIKE 'gw\\_bench\\_%' AND datname <> $1`,
    [db.name],
  );
  return rows.map((row) => row.datname);
}

/** The URL of another database on the same server. */
export function databaseUrlOn(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withClient(adminUrl, (admin) =>
    admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`),
  );
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, application_name: 'gateway-bench' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
