import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { TEST_POSTGRES_URL, databasePrefix, databaseUrl, templateDatabase } from './test-environment';

/** A migrated database of the test's own, copied from the run's template. */
export interface TestDatabase {
  readonly url: string;
  /** Runs SQL as a superuser connection to this database (for assertions and fixtures). */
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `${databasePrefix()}${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(
      `CREATE DATABASE ${admin.escapeIdentifier(name)} TEMPLATE ${admin.escapeIdentifier(templateDatabase())}`,
    );
  } finally {
    await admin.end();
  }
  const url = databaseUrl(name);
  const client = new Client({ connectionString: url });
  await client.connect();
  return {
    url,
    query: async <Row>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as Row[],
    drop: async () => {
      await client.end();
      const dropper = new Client({ connectionString: TEST_POSTGRES_URL });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${dropper.escapeIdentifier(name)} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
