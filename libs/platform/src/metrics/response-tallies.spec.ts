import { Counter, Histogram, Registry } from 'prom-client';
import { ResponseTallies } from './response-tallies';

const NAMES = {
  countName: 'http_requests_total',
  countHelp: 'HTTP requests answered',
  durationName: 'http_request_duration_seconds',
  durationHelp: 'HTTP request latency',
};
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

type Response = [method: string, route: string, status: number, seconds: number];

const RESPONSES: Response[] = [
  ['GET', '/scim/v2/Users/:id', 200, 0.0004],
  ['GET', '/scim/v2/Users/:id', 200, 0.001], // on a bound: counted in it (le is "less or equal")
  ['GET', '/scim/v2/Users/:id', 404, 0.003],
  ['POST', '/scim/v2/Users', 201, 0.04],
  ['GET', 'unmatched', 404, 7], // above every bound: only in +Inf
  ['GET', '/scim/v2/Users/:id', 200, 0.2],
  ['GET', '/metrics', 200, 0],
];

/** What prom-client's own Counter and Histogram show for the same responses. */
async function promClientText(responses: readonly Response[]): Promise<string> {
  const registry = new Registry();
  const counter = new Counter({
    name: NAMES.countName,
    help: NAMES.countHelp,
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const histogram = new Histogram({
    name: NAMES.durationName,
    help: NAMES.durationHelp,
    labelNames: ['method', 'route', 'status'],
    buckets: BUCKETS,
    registers: [registry],
  });
  for (const [method, route, status, seconds] of responses) {
    const labels = { method, route, status: String(status) };
    counter.inc(labels);
    histogram.observe(labels, seconds);
  }
  return registry.metrics();
}

async function talliesText(responses: readonly Response[]): Promise<{ registry: Registry; text: string }> {
  const registry = new Registry();
  const tallies = new ResponseTallies({ ...NAMES, buckets: BUCKETS });
  tallies.registerWith(registry);
  for (const response of responses) tallies.record(...response);
  return { registry, text: await registry.metrics() };
}

describe('ResponseTallies', () => {
  it("shows what prom-client's Counter and Histogram show, byte for byte", async () => {
    const { text } = await talliesText(RESPONSES);
    expect(text).toBe(await promClientText(RESPONSES));
    expect(text).toContain(
      'http_request_duration_seconds_bucket{le="0.001",method="GET",route="/scim/v2/Users/:id",status="200"} 2',
    );
    expect(text).toContain('http_requests_total{method="GET",route="unmatched",status="404"} 1');
  });

  it('shows nothing but the headers before the first response, as prom-client does', async () => {
    const { text } = await talliesText([]);
    expect(text).toBe(await promClientText([]));
  });

  it('reads as JSON through the registry', async () => {
    const { registry } = await talliesText(RESPONSES);
    const metrics = await registry.getMetricsAsJSON();
    const count = metrics.find((metric) => metric.name === NAMES.countName);
    expect(count?.type).toBe('counter');
    expect(count?.values).toContainEqual({
      labels: { method: 'POST', route: '/scim/v2/Users', status: '201' },
      value: 1,
    });
  });

  it('starts again from zero when the registry resets its metrics', async () => {
    const { registry } = await talliesText(RESPONSES);
    registry.resetMetrics();
    expect(await registry.metrics()).toBe(await promClientText([]));
  });
});
