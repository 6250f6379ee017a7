import { dataSourceOptions } from '@app/identity/database/data-source';
import { runStatement } from '@app/identity/scim/storage/prepared-statements';
import type { Pool } from 'pg';
import { DataSource, QueryFailedError } from 'typeorm';
import { TestDatabase, createTestDatabase } from '../support/test-database';

/** runStatement on a real pool: named statements, transactions, errors, and every client given back. */
describe('runStatement (SCIM statements on PostgreSQL)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await new DataSource({ ...dataSourceOptions(db.url), extra: { max: 3 } }).initialize();
    pool = (dataSource.driver as unknown as { master: Pool }).master;
    await dataSource.query('CREATE TABLE statement_probe (id int PRIMARY KEY, label text NOT NULL)');
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  const PREPARED_HERE = `SELECT name, statement FROM pg_prepared_statements WHERE name LIKE 'gw_scim_%'`;

  it('runs a statement with its values on the pool, prepared under one name per text', async () => {
    const text = 'SELECT $1::int + $2::int AS sum, $3::text AS label';
    for (let run = 0; run < 10; run++) {
      await expect(
        runStatement<{ sum: number; label: string }>(dataSource.manager, text, [run, 1, 'x']),
      ).resolves.toEqual([{ sum: run + 1, label: 'x' }]);
    }
    // On one connection, the statement is prepared once, under its name.
    await dataSource.transaction(async (em) => {
      await runStatement(em, text, [1, 2, 'y']);
      const prepared = await runStatement<{ name: string; statement: string }>(em, PREPARED_HERE, [], false);
      expect(prepared.filter((row) => row.statement === text)).toHaveLength(1);
    });
  });

  it("runs inside a transaction on the transaction's connection, and rolls back with it", async () => {
    await expect(
      dataSource.transaction(async (em) => {
        await runStatement(em, 'INSERT INTO statement_probe (id, label) VALUES ($1, $2)', [1, 'kept?']);
        const seen = await runStatement<{ label: string }>(em, 'SELECT label FROM statement_probe WHERE id = $1', [1]);
        expect(seen).toEqual([{ label: 'kept?' }]);
        throw new Error('abandon');
      }),
    ).rejects.toThrow('abandon');
    await expect(
      runStatement(dataSource.manager, 'SELECT label FROM statement_probe WHERE id = $1', [1]),
    ).resolves.toEqual([]);
  });

  it("fails with TypeORM's QueryFailedError carrying PostgreSQL's code, and changes nothing", async () => {
    await runStatement(dataSource.manager, 'INSERT INTO statement_probe (id, label) VALUES ($1, $2)', [2, 'first']);
    const failure = await runStatement(dataSource.manager, 'INSERT INTO statement_probe (id, label) VALUES ($1, $2)', [
      2,
      'second',
    ]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(QueryFailedError);
    expect((failure as QueryFailedError & { driverError: { code: string } }).driverError.code).toBe('23505');
    const bad = await runStatement(dataSource.manager, 'SELECT $1::int AS n', ['not a number']).catch(
      (e: unknown) => e,
    );
    expect((bad as QueryFailedError & { driverError: { code: string } }).driverError.code).toBe('22P02');
    await expect(dataSource.query('SELECT label FROM statement_probe WHERE id = 2')).resolves.toEqual([
      { label: 'first' },
    ]);
  });

  it('gives every pooled client back, after successes and failures, many at once', async () => {
    const runs = Array.from({ length: 60 }, (_, n) =>
      n % 3 === 0
        ? runStatement(dataSource.manager, 'SELECT 1 / $1::int AS q', [0]).catch((error: unknown) => error)
        : runStatement<{ n: number }>(dataSource.manager, 'SELECT $1::int AS n', [n]),
    );
    const results = await Promise.all(runs);
    results.forEach((result, n) => {
      if (n % 3 === 0)
        expect((result as QueryFailedError & { driverError: { code: string } }).driverError.code).toBe('22012');
      else expect(result).toEqual([{ n }]);
    });
    expect(pool.totalCount).toBeLessThanOrEqual(3);
    expect(pool.idleCount).toBe(pool.totalCount);
    expect(pool.waitingCount).toBe(0);
  });

  it('runs a text unnamed when asked to, leaving nothing prepared for it', async () => {
    const text = 'SELECT $1::text AS once';
    await dataSource.transaction(async (em) => {
      await expect(runStatement(em, text, ['a'], false)).resolves.toEqual([{ once: 'a' }]);
      const prepared = await runStatement<{ statement: string }>(em, PREPARED_HERE, [], false);
      expect(prepared.map((row) => row.statement)).not.toContain(text);
    });
  });
});
