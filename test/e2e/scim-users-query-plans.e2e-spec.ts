import { dataSourceOptions } from '@app/identity/database/data-source';
import { filterToSql } from '@app/identity/scim/filter/filter-to-sql';
import { parseFilter } from '@app/identity/scim/filter/filter.parser';
import { listQueryFromParams } from '@app/identity/scim/list/list-query';
import { pageQueryOf } from '@app/identity/scim/storage/resource-page';
import { UserRepository } from '@app/identity/users/user.repository';
import { USER_SQL_MAPPING } from '@app/identity/users/user-sql-mapping';
import { DataSource } from 'typeorm';
import { TestDatabase, createTestDatabase } from '../support/test-database';

/**
 * The filters Okta and Entra send on every provisioning call must be index
 * lookups, not scans of the tenant's users: EXPLAIN the SQL the users
 * repository runs for each, with sequential scans priced out.
 */
describe('query plans of the hot SCIM user lookups', () => {
  let db: TestDatabase;
  const tenantId = '6f1b1f9e-5a8e-4c55-9b55-0c8a7c2f2a10';

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.query(`INSERT INTO tenants (id, slug, name) VALUES ($1, 'acme', 'Acme')`, [tenantId]);
    await db.query(
      `INSERT INTO users (tenant_id, user_name, external_id, resource, email_values)
       SELECT $1, 'user' || n || '@acme.example', 'ext-' || n, '{}'::jsonb, ARRAY['user' || n || '@acme.example']
         FROM generate_series(1, 2000) AS n`,
      [tenantId],
    );
    await db.query('ANALYZE users');
  });
  afterAll(() => db.drop());

  const plan = async (filter: string): Promise<string> => {
    const params: unknown[] = [tenantId];
    const where = filterToSql(parseFilter(filter), USER_SQL_MAPPING, params);
    await db.query('SET enable_seqscan = off');
    const rows = await db.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT u.id FROM users u WHERE u.tenant_id = $1 AND (${where}) ORDER BY u.created_at, u.id LIMIT 100`,
      params,
    );
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  };

  it.each([
    ['userName eq "user7@acme.example"', 'users_tenant_user_name_key'],
    ['externalId eq "ext-7"', 'users_tenant_external_id_idx'],
    ['emails[type eq "work"].value eq "user7@acme.example"', 'users_email_values_idx'],
    ['emails.value eq "USER7@acme.example"', 'users_email_values_idx'],
    ['id eq "2819c223-7f76-453a-919d-413861904646"', /users_pkey|users_tenant_id_id_key/],
  ])('%s uses %s', async (filter, index) => {
    const text = await plan(filter);
    expect(text).toMatch(index);
    expect(text).not.toContain('Seq Scan');
  });

  // A page holding one row at most is sent without ORDER BY: PostgreSQL would set up a sort at every lookup.
  it.each([
    ['userName eq "USER7@acme.example"', false, 1],
    ['userName eq "user7@acme.example" and active eq true', false, 1],
    ['externalId eq "ext-7"', true, 1],
    ['userName eq "user7@acme.example" or userName eq "user8@acme.example"', true, 2],
  ])('the repository sends %s sorted: %p', async (filter, sorted, found) => {
    const dataSource = await new DataSource({ ...dataSourceOptions(db.url), extra: { max: 1 } }).initialize();
    try {
      const query = pageQueryOf(listQueryFromParams({ filter }), USER_SQL_MAPPING, 'u.created_at ASC, u.id ASC');
      await dataSource.transaction(async (em) => {
        const page = await new UserRepository().page(em, tenantId, query);
        expect(page.rows).toHaveLength(found);
        expect(page.total).toBe(found);
        const [prepared] = await em.query<{ statement: string }[]>(
          `SELECT statement FROM pg_prepared_statements WHERE statement LIKE '%FROM users u WHERE%'`,
        );
        expect(prepared.statement.includes('ORDER BY u.created_at')).toBe(sorted);
      });
    } finally {
      await dataSource.destroy();
    }
  });
});
