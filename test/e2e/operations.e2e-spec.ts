import { createOidcApp } from '../../apps/oidc/src/create-oidc-app';
import { createScimApp } from '../../apps/scim/src/create-scim-app';
import { createWorkerApp } from '../../apps/worker/src/create-worker-app';
import { TestApp, startTestApp } from '../support/test-app';

describe.each([
  ['scim', createScimApp],
  ['oidc', createOidcApp],
  ['worker', createWorkerApp],
])('operations endpoints of the %s app', (_name, create) => {
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

  it('is ready when PostgreSQL and Redis answer', async () => {
    const response = await gateway.app.inject({ method: 'GET', url: '/health/ready' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      status: 'ok',
      info: { postgres: { status: 'up' }, redis: { status: 'up' } },
    });
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

describe('readiness when Redis is down', () => {
  let gateway: TestApp;

  beforeAll(async () => {
    // Port 1 never has a Redis: the app must still start and serve, and report itself not ready.
    gateway = await startTestApp(createOidcApp, { redisUrl: 'redis://127.0.0.1:1' });
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

  it('keeps serving the admin API', async () => {
    const response = await gateway.app.inject({
      method: 'GET',
      url: '/admin/v1/tenants',
      headers: { authorization: `Bearer ${gateway.config.adminToken}` },
    });
    expect(response.statusCode).toBe(200);
  });
});
