import { createOidcApp } from '../../apps/oidc/src/create-oidc-app';
import { createScimApp } from '../../apps/scim/src/create-scim-app';
import { createWorkerApp } from '../../apps/worker/src/create-worker-app';
import { USER_SCHEMA, createScimTenant } from '../support/scim-client';
import { TestApp, startTestApp } from '../support/test-app';

describe.each([
  ['scim', createScimApp, { postgres: { status: 'up' } }],
  ['oidc', createOidcApp, { postgres: { status: 'up' }, redis: { status: 'up' } }],
  ['worker', createWorkerApp, { postgres: { status: 'up' }, redis: { status: 'up' } }],
])('operations endpoints of the %s app', (_name, create, checked) => {
  let gateway: TestApp;

  beforeAll(async () => {
    gateway = await startTestApp(create);
  });
  afterAll(() => gateway.close());

  it('is live', async () => {
    const response = await gateway.app.inject({ method: 'GET', url: '/health/live' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'ok' });
  });

  it('is ready when what it needs answers, and checks nothing else', async () => {
    const response = await gateway.app.inject({ method: 'GET', url: '/health/ready' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', info: checked, error: {}, details: checked });
  });

  it('counts requests by route pattern and status in Prometheus text', async () => {
    await gateway.app.inject({ method: 'GET', url: '/health/live' });
    await gateway.app.inject({ method: 'GET', url: '/no/such/route/123' });
    const response = await gateway.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    expect(response.body).toMatch(/http_requests_total\{method="GET",route="\/health\/live",status="200"\} \d+/);
    expect(response.body).toMatch(/http_requests_total\{method="GET",route="unmatched",status="404"\} 1/);
    expect(response.body).toContain('http_request_duration_seconds_bucket');
    expect(response.body).toContain('process_resident_memory_bytes');
    expect(response.body).not.toContain('/no/such/route/123');
  });

  it('echoes a plain X-Request-Id and replaces a hostile one', async () => {
    const echoed = await gateway.app.inject({
      method: 'GET',
      url: '/health/live',
      headers: { 'x-request-id': 'abc-123' },
    });
    expect(echoed.headers['x-request-id']).toBe('abc-123');
    const hostile = await gateway.app.inject({
      method: 'GET',
      url: '/health/live',
      headers: { 'x-request-id': 'x'.repeat(500) },
    });
    expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

// A closed loopback port: nothing answers there, so Redis is down for the app.
const CLOSED_REDIS_URL = 'redis://127.0.0.1:1';

describe.each([
  ['oidc', createOidcApp],
  ['worker', createWorkerApp],
])('readiness of the %s app when Redis is down', (_name, create) => {
  let gateway: TestApp;

  beforeAll(async () => {
    // The app must still start and serve, and report itself not ready.
    gateway = await startTestApp(create, { redisUrl: CLOSED_REDIS_URL });
  });
  afterAll(() => gateway.close());

  it('stays live but is not ready, naming Redis', async () => {
    expect((await gateway.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    const response = await gateway.app.inject({ method: 'GET', url: '/health/ready' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({
      status: 'error',
      error: { redis: { status: 'down' } },
      info: { postgres: { status: 'up' } },
    });
  });
});

describe('the OIDC app when Redis is down', () => {
  let gateway: TestApp;

  beforeAll(async () => {
    gateway = await startTestApp(createOidcApp, { redisUrl: CLOSED_REDIS_URL });
  });
  afterAll(() => gateway.close());

  it('keeps serving the admin API', async () => {
    const response = await gateway.app.inject({
      method: 'GET',
      url: '/admin/v1/tenants',
      headers: { authorization: `Bearer ${gateway.config.adminToken}` },
    });
    expect(response.statusCode).toBe(200);
  });
});

describe('the SCIM app when Redis is down', () => {
  let gateway: TestApp;

  beforeAll(async () => {
    gateway = await startTestApp(createScimApp, { redisUrl: CLOSED_REDIS_URL });
  });
  afterAll(() => gateway.close());

  it('is ready: it serves SCIM without Redis', async () => {
    const response = await gateway.app.inject({ method: 'GET', url: '/health/ready' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'ok', info: { postgres: { status: 'up' } } });
    expect(response.json()).not.toHaveProperty('info.redis');
  });

  it('provisions users', async () => {
    const acme = await createScimTenant(gateway, 'no-redis');
    const created = await acme.send('POST', '/scim/v2/Users', { schemas: [USER_SCHEMA], userName: 'ann@acme.example' });
    expect(created.status).toBe(201);
    expect((await acme.send('GET', `/scim/v2/Users/${created.body.id}`)).status).toBe(200);
    // The change and its event are committed to PostgreSQL; the worker relays them when Redis is back.
    expect(await gateway.db.query(`SELECT type FROM outbox_events WHERE subject_id = $1`, [created.body.id])).toEqual([
      { type: 'user.created' },
    ]);
  });
});
