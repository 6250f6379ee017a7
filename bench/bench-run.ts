/** What every benchmark script shares: its progress log, undo steps, build, and child processes. */

import { ChildProcess, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export { freePort } from '../test/support/processes';

const ROOT = join(__dirname, '..');

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

/**
 * Cleans up and exits on Ctrl-C, SIGTERM, or when the run passes its time
 * limit, so a benchmark never leaves databases, keys or processes behind.
 * Returns the function that stands the watchdog down once the run is over.
 */
export function superviseRun(cleanup: Cleanup, timeLimitMs: number): () => void {
  const abort = (reason: string) => {
    log(`${reason}: cleaning up`);
    void cleanup.run().finally(() => process.exit(1));
  };
  process.once('SIGINT', () => abort('interrupted'));
  process.once('SIGTERM', () => abort('terminated'));
  const watchdog = setTimeout(() => abort(`time limit of ${timeLimitMs / 60_000} min reached`), timeLimitMs);
  return () => clearTimeout(watchdog);
}

/** Builds dist/ unless told not to; which code the report describes. */
export function buildForRun(build: boolean): string {
  if (!build) return `${codeVersion()}, dist/ not rebuilt (--no-build)`;
  log('npm run build');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  return codeVersion();
}

/** The commit dist/ was built from, as far as the working tree tells (read-only git commands). */
function codeVersion(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    const changed = git('status', '--porcelain', '--', 'apps', 'libs') !== '';
    return `commit ${git('rev-parse', '--short', 'HEAD')}${changed ? ' with uncommitted changes under apps/ or libs/' : ''}`;
  } catch {
    return 'unknown (no git)';
  }
}

/** Polls `url` until it answers 200; fails early if the child exits. */
export async function waitUntilReady(url: string, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`exited (${child.exitCode ?? child.signalCode})`);
    }
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

/** SIGTERM (servers drain and close their pools), SIGKILL if that takes too long. */
export async function stopChild(child: ChildProcess, exited: Promise<void>, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

/** Prints the report and keeps a copy in bench/results/ (not in git), named after the benchmark and the time. */
export function writeReport(name: string, report: string): void {
  const directory = join(ROOT, 'bench', 'results');
  const file = join(directory, `${name}-${new Date().toISOString().slice(0, 16).replace(':', '')}.md`);
  mkdirSync(directory, { recursive: true });
  writeFileSync(file, report);
  process.stdout.write(`\n${report}\nWritten to ${file}\n`);
}
