import { ChildProcess, spawn } from 'node:child_process';

/** How long apps get to finish in-flight work after SIGTERM before they are killed. */
export const GRACE_MS = 20_000;

export interface AppProcess {
  readonly name: string;
  readonly entry: string;
}

/**
 * Runs the apps as child processes and keeps them as one unit: when one stops
 * unexpectedly, the others are stopped too, so `npm start` never limps on half-up.
 */
export class Supervisor {
  private readonly children = new Map<string, ChildProcess>();
  private stopping = false;

  constructor(private readonly onUnexpectedExit: (name: string, code: number | null) => void) {}

  start(apps: readonly AppProcess[], env: NodeJS.ProcessEnv): void {
    for (const app of apps) {
      // Each child gets its own process group, so a terminal's Ctrl-C reaches only
      // the launcher, which forwards one SIGTERM; the IPC channel lets a child
      // notice when the launcher dies and shut itself down.
      const child = spawn(process.execPath, [app.entry], {
        env,
        detached: true,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      child.once('exit', (code) => {
        this.children.delete(app.name);
        if (!this.stopping) this.onUnexpectedExit(app.name, code);
      });
      this.children.set(app.name, child);
    }
  }

  /** The apps still running. */
  running(): string[] {
    return [...this.children.keys()];
  }

  /** Sends SIGTERM to every app and waits for all to exit, killing any still running after the grace period. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.children.values()].map((child) => stopChild(child)));
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), GRACE_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
