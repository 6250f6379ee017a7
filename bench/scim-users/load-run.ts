import autocannon from 'autocannon';
import type { BenchServer } from './bench-servers';
import { cpuShare, cpuSnapshot, waitForQuiet, type CpuShare } from './cpu-usage';

/** One kind of request, varied per request (another user, another id, a new userName). */
export interface Scenario {
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'PATCH';
  /** Path and body of the next request; called once per request, for the warm-up too. */
  next(): { readonly path: string; readonly body?: string };
}

export interface LoadSettings {
  readonly connections: number;
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
}

/** What one measured run (after its warm-up) gave. */
export interface LoadResult {
  readonly scenario: string;
  readonly server: BenchServer['name'];
  /** Successful (2xx) responses per second. */
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly statusCodes: string;
  readonly cpu: CpuShare;
  /** CPU milliseconds per successful request, in the server process and in PostgreSQL. */
  readonly serverCpuMsPerRequest: number;
  readonly postgresCpuMsPerRequest: number;
  /** Busy share of the machine in the second before the warm-up. */
  readonly busyBefore: number;
  /** When the scenario ran in several rounds and this is the best: req/s of every round, in order. */
  readonly roundsRequestsPerSecond?: readonly number[];
}

const QUIET_WAIT_MS = 120_000;

/** Waits for a quiet machine, warms the server up with the scenario, then measures it with autocannon. */
export async function measure(
  server: BenchServer,
  databaseName: string,
  token: string,
  scenario: Scenario,
  settings: LoadSettings,
): Promise<LoadResult> {
  const options = autocannonOptions(server, token, scenario, settings);
  const busyBefore = await waitForQuiet(QUIET_WAIT_MS);
  await autocannon({ ...options, duration: settings.warmupSeconds });
  const before = cpuSnapshot(server.pid, databaseName);
  const result = await autocannon({ ...options, duration: settings.durationSeconds });
  const cpu = cpuShare(before, cpuSnapshot(server.pid, databaseName), result.duration);
  const succeeded = Math.max(1, result['2xx']);
  return {
    scenario: scenario.name,
    server: server.name,
    requestsPerSecond: result['2xx'] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    statusCodes: Object.entries(result.statusCodeStats ?? {})
      .map(([status, { count }]) => `${status}×${count ?? 0}`)
      .join(' '),
    cpu,
    serverCpuMsPerRequest: (cpu.serverSeconds * 1000) / succeeded,
    postgresCpuMsPerRequest: (cpu.postgresSeconds * 1000) / succeeded,
    busyBefore,
  };
}

function autocannonOptions(
  server: BenchServer,
  token: string,
  scenario: Scenario,
  settings: LoadSettings,
): autocannon.Options {
  return {
    url: server.url,
    connections: settings.connections,
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'application/scim+json',
      'content-type': 'application/scim+json',
    },
    requests: [
      {
        setupRequest: (request) => {
          const next = scenario.next();
          return { ...request, method: scenario.method, path: next.path, body: next.body ?? '' };
        },
      },
    ],
  };
}
