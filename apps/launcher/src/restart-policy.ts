/** The first wait before restarting an app that crashed. */
export const FIRST_RESTART_DELAY_MS = 1_000;
/** The longest wait between restarts of an app that keeps crashing. */
export const MAX_RESTART_DELAY_MS = 30_000;
/** An app that stayed up this long before crashing is restarted after the first delay again. */
export const STABLE_AFTER_MS = 60_000;

/**
 * How long to wait before restarting an app after its `crashes`-th crash in a row
 * (1 for the first): 1 s, doubling up to 30 s, so a crash loop never spins.
 */
export function restartDelayMs(crashes: number): number {
  const doublings = Math.max(0, crashes - 1);
  return Math.min(MAX_RESTART_DELAY_MS, FIRST_RESTART_DELAY_MS * 2 ** Math.min(doublings, 30));
}

/** The crash count after a crash: a run longer than STABLE_AFTER_MS starts the count afresh. */
export function crashesAfter(previousCrashes: number, upForMs: number): number {
  return upForMs >= STABLE_AFTER_MS ? 1 : previousCrashes + 1;
}

/** How an app ended, for a log line: `exit code 1` or `signal SIGKILL`. */
export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal !== null) return `signal ${signal}`;
  return `exit code ${code ?? 'none'}`;
}

/** The line saying an app crashed and when it comes back. */
export function restartingLine(
  name: string,
  code: number | null,
  signal: NodeJS.Signals | null,
  delayMs: number,
  othersKeepRunning = true,
): string {
  const when = new Date(Date.now() + delayMs).toISOString();
  const others = othersKeepRunning ? '; the other apps keep running' : '';
  return `${name} stopped unexpectedly (${describeExit(code, signal)}); restarting it in ${formatSeconds(delayMs)} (at ${when})${others}`;
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}
