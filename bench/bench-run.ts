/** What every benchmark script shares: its progress log and its undo steps. */

export { freePort } from '../test/support/processes';

/** When the benchmark process started. */
export const benchStarted = Date.now();

/** A progress line on stderr, stamped with the seconds since the benchmark started (stdout is the report). */
export function log(line: string): void {
  process.stderr.write(`[${((Date.now() - benchStarted) / 1000).toFixed(1)} s] ${line}\n`);
}

/** Undo steps, run once, newest first, whatever happened. */
export class Cleanup {
  private readonly steps: { name: string; run: () => Promise<unknown> }[] = [];
  private running: Promise<void> | undefined;

  add(name: string, run: () => Promise<unknown>): void {
    this.steps.push({ name, run });
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.reverse()) {
        await step.run().catch((error: unknown) => log(`cleanup: ${step.name} failed: ${String(error)}`));
      }
    })();
    return this.running;
  }
}
