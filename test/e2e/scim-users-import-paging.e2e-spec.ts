import { createScimTenant, startScimApp } from '../support/scim-client';
import type { TestApp } from '../support/test-app';

/**
 * An import pages through every user with startIndex/count. Pages after the
 * first seek from where the previous page ended (PageCursors); they must give
 * exactly what OFFSET would, and stay consistent when users change meanwhile.
 */
describe('SCIM /Users: paging through an import', () => {
  let gateway: TestApp;
  let tenant: Awaited<ReturnType<typeof createScimTenant>>;

  beforeAll(async () => {
    gateway = await startScimApp();
    tenant = await createScimTenant(gateway, 'acme');
    for (let i = 0; i < 45; i++) {
      const response = await tenant.send('POST', '/scim/v2/Users', {
        userName: `user${String(i).padStart(2, '0')}@acme.example`,
      });
      expect(response.status).toBe(201);
    }
  });
  afterAll(() => gateway.close());

  const page = async (startIndex: number, count = 10): Promise<{ ids: string[]; total: number }> => {
    const response = await tenant.send(
      'GET',
      `/scim/v2/Users?startIndex=${startIndex}&count=${count}&attributes=userName`,
    );
    expect(response.status).toBe(200);
    return {
      ids: (response.body.Resources as { id: string }[]).map((user) => user.id),
      total: response.body.totalResults as number,
    };
  };

  it('gives every user once, in creation order, as one sorted page would', async () => {
    const sequential: string[] = [];
    for (let start = 1; start <= 45; start += 10) sequential.push(...(await page(start)).ids);
    const whole = (await page(1, 200)).ids;
    expect(sequential).toEqual(whole);
    expect(new Set(sequential).size).toBe(45);
  });

  it('answers a page requested out of order, without a cursor, the same way', async () => {
    const first = await page(1, 45);
    expect((await page(31)).ids).toEqual(first.ids.slice(30, 40));
  });

  it('neither repeats nor skips a user when one is deleted between pages', async () => {
    const first = await page(1);
    const doomed = first.ids[3];
    expect((await tenant.send('DELETE', `/scim/v2/Users/${doomed}`)).status).toBe(204);
    const rest: string[] = [];
    for (let start = 11; start <= 45; start += 10) rest.push(...(await page(start)).ids);
    const all = [...first.ids, ...rest];
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(45);
    expect((await page(1)).total).toBe(44);
  });
});

describe('SCIM /Users: paging over rows with sub-millisecond creation times', () => {
  let gateway: TestApp;
  let tenant: Awaited<ReturnType<typeof createScimTenant>>;

  beforeAll(async () => {
    gateway = await startScimApp();
    tenant = await createScimTenant(gateway, 'imported');
    // Rows written outside the API (a bulk import, an older version) may carry microseconds, and share them.
    await gateway.db.query(
      `INSERT INTO users (tenant_id, user_name, resource, created_at, updated_at)
       SELECT $1, 'bulk' || n || '@acme.example', jsonb_build_object('userName', 'bulk' || n || '@acme.example'),
              timestamptz '2026-01-01 00:00:00.123456+00' + (n / 3) * interval '1 microsecond', now()
         FROM generate_series(1, 50) AS n`,
      [tenant.id],
    );
  });
  afterAll(() => gateway.close());

  it('still gives every user exactly once', async () => {
    const ids: string[] = [];
    for (let start = 1; start <= 50; start += 7) {
      const response = await tenant.send('GET', `/scim/v2/Users?startIndex=${start}&count=7&attributes=userName`);
      ids.push(...(response.body.Resources as { id: string }[]).map((user) => user.id));
    }
    expect(ids).toHaveLength(50);
    expect(new Set(ids).size).toBe(50);
  });
});
