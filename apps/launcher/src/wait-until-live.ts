import { setTimeout as sleep } from 'node:timers/promises';

/** Resolves once every port answers `GET /health/live` with 200; rejects after the timeout. */
export async function waitUntilLive(ports: readonly number[], timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(ports);
  while (pending.size > 0) {
    if (Date.now() > deadline) throw new Error(`apps on ports ${[...pending].join(', ')} did not come up`);
    for (const port of [...pending]) {
      if (await isLive(port)) pending.delete(port);
    }
    if (pending.size > 0) await sleep(100);
  }
}

async function isLive(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health/live`, { signal: AbortSignal.timeout(1000) });
    return response.ok;
  } catch {
    return false;
  }
}
