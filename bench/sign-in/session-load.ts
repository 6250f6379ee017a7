import autocannon from 'autocannon';
import { cpuShare, cpuSnapshot, waitForQuiet, type CpuShare } from '../scim-users/cpu-usage';

/** A session endpoint under autocannon, each request with another signed-in browser's cookie. */
export interface SessionLoad {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
}

export interface SessionLoadSettings {
  readonly connections: number;
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
}

export interface SessionLoadResult {
  readonly name: string;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
  /** Requests sent, warm-up included: what the database's transaction count is divided by. */
  readonly requestsSent: number;
  readonly cpu: CpuShare;
  readonly serverCpuMsPerRequest: number;
  readonly postgresCpuMsPerRequest: number;
  readonly busyBefore: number;
}

const QUIET_WAIT_MS = 60_000;

export async function measureSessionLoad(
  server: { url: string; pid: number },
  databaseName: string,
  sessionCookie: { name: string; tokens: readonly string[] },
  load: SessionLoad,
  settings: SessionLoadSettings,
): Promise<SessionLoadResult> {
  let next = 0;
  const options: autocannon.Options = {
    url: server.url,
    connections: settings.connections,
    requests: [
      {
        setupRequest: (request) => {
          const token = sessionCookie.tokens[next++ % sessionCookie.tokens.length];
          return {
            ...request,
            method: load.method,
            path: load.path,
            headers: { ...request.headers, accept: 'application/json', cookie: `${sessionCookie.name}=${token}` },
          };
        },
      },
    ],
  };
  const busyBefore = await waitForQuiet(QUIET_WAIT_MS);
  const warmup = await autocannon({ ...options, duration: settings.warmupSeconds });
  const before = cpuSnapshot(server.pid, databaseName);
  const result = await autocannon({ ...options, duration: settings.durationSeconds });
  const cpu = cpuShare(before, cpuSnapshot(server.pid, databaseName), result.duration);
  const succeeded = Math.max(1, result['2xx']);
  return {
    name: load.name,
    requestsPerSecond: result['2xx'] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    requestsSent: warmup.requests.sent + result.requests.sent,
    cpu,
    serverCpuMsPerRequest: (cpu.serverSeconds * 1000) / succeeded,
    postgresCpuMsPerRequest: (cpu.postgresSeconds * 1000) / succeeded,
    busyBefore,
  };
}
