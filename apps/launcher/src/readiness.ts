import { setTimeout as sleep } from 'node:timers/promises';

/** One app as the launcher watches it come up. */
export interface WatchedApp {
  readonly name: string;
  readonly port: number;
}

/** Where an app stands: not answering yet, answering but missing dependencies, or ready. */
export type AppState =
  | { readonly kind: 'down' }
  | { readonly kind: 'waiting'; readonly missing: readonly string[] }
  | { readonly kind: 'ready' };

/**
 * The dependencies a `/health/ready` answer names as down (terminus' body:
 * `{status: 'error', error: {redis: {status: 'down', ...}}}`); none for a body it cannot read.
 */
export function missingDependencies(body: unknown): string[] {
  if (typeof body !== 'object' || body === null) return [];
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return [];
  return Object.entries(error)
    .filter(([, check]) => (check as { status?: unknown } | null)?.status === 'down')
    .map(([name]) => name)
    .sort();
}

/** Asks one app whether it is ready. */
export async function probe(port: number): Promise<AppState> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(3000) });
    if (response.status === 200) return { kind: 'ready' };
    const body: unknown = await response.json().catch(() => undefined);
    return { kind: 'waiting', missing: missingDependencies(body) };
  } catch {
    return { kind: 'down' };
  }
}

export interface WaitOptions {
  /** How long an app may take to answer at all; waiting on a dependency has no limit. */
  readonly answerWithinMs: number;
  /** How long a dependency stays missing before it is reported (apps connect at start: a moment is normal). */
  readonly reportAfterMs: number;
  /** Called once when a dependency has been missing for reportAfterMs (again after it came back and went). */
  readonly onWaiting: (dependency: string) => void;
  /** Stops the wait (the gateway is shutting down). */
  readonly signal: AbortSignal;
}

/**
 * Resolves once every app answers `GET /health/ready` with 200; `false` when the wait was aborted.
 * Rejects when an app does not answer at all within `answerWithinMs`.
 */
export async function waitUntilReady(apps: readonly WatchedApp[], options: WaitOptions): Promise<boolean> {
  const deadline = Date.now() + options.answerWithinMs;
  const answered = new Set<string>();
  const missingSince = new Map<string, number>();
  const reported = new Set<string>();
  while (!options.signal.aborted) {
    const states = await Promise.all(apps.map((app) => probe(app.port)));
    if (options.signal.aborted) break;
    states.forEach((state, i) => state.kind !== 'down' && answered.add(apps[i].name));
    if (states.every((state) => state.kind === 'ready')) return true;

    const missing = new Set(states.flatMap((state) => (state.kind === 'waiting' ? state.missing : [])));
    for (const dependency of [...missingSince.keys()].filter((d) => !missing.has(d))) {
      missingSince.delete(dependency);
      reported.delete(dependency);
    }
    for (const dependency of missing) {
      const since = missingSince.get(dependency) ?? Date.now();
      missingSince.set(dependency, since);
      if (!reported.has(dependency) && Date.now() - since >= options.reportAfterMs) {
        reported.add(dependency);
        options.onWaiting(dependency);
      }
    }

    const silent = apps.filter((app) => !answered.has(app.name));
    if (silent.length > 0 && Date.now() > deadline) {
      throw new Error(`${silent.map((app) => `${app.name} (port ${app.port})`).join(', ')} did not answer`);
    }
    await sleep(250);
  }
  return false;
}
