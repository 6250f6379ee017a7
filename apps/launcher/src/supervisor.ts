import { ChildProcess, spawn } from 'node:child_process';
import { EXIT_CONFIG } from '@app/platform/runtime/exit-codes';
import { SHUTDOWN_GRACE_MS } from '@app/platform/runtime/launcher-channel';
import { crashesAfter, restartDelayMs, restartingLine } from './restart-policy';

/** How long apps get to finish in-flight work after SIGTERM before they are killed. */
export const GRACE_MS = SHUTDOWN_GRACE_MS;

export interface AppProcess {
  readonly name: string;
  readonly entry: string;
  /** This process hosts every app: when it crashes, nothing else keeps running. */
  readonly hostsAll?: boolean;
  /** Node.js options before the entry point. */
  readonly nodeArgs?: readonly string[];
  /** Environment variables for this app only, unless already set. */
  readonly defaultEnv?: Readonly<Record<string, string>>;
}

export interface SupervisorHooks {
  /** One line for the operator. */
  readonly say: (text: string) => void;
  /**
   * An app exited with EX_CONFIG: it has said what to change and would fail the
   * same way again, so the gateway stops rather than restarting it in a loop.
   */
  readonly onConfigError: (name: string) => void;
  /** Resolves `true` once a restarted app answers as ready, `false` if it should no longer be watched. */
  readonly whenBack: (name: string, stillThisRun: () => boolean) => Promise<boolean>;
}

interface Watched {
  readonly app: AppProcess;
  child?: ChildProcess;
  startedAt: number;
  crashes: number;
  restartTimer?: NodeJS.Timeout;
}

/**
 * Runs the apps as child processes. An app that crashes is restarted with
 * backoff (1 s doubling to 30 s, afresh after a run that stayed up) while the
 * others keep serving: a crashed worker never takes SCIM or sign-in down with it.
 * An app that exits with a configuration error stops the gateway (it would only
 * fail again).
 */
export class Supervisor {
  private readonly watched = new Map<string, Watched>();
  private env: NodeJS.ProcessEnv = {};
  private stopping = false;

  constructor(private readonly hooks: SupervisorHooks) {}

  start(apps: readonly AppProcess[], env: NodeJS.ProcessEnv): void {
    this.env = env;
    for (const app of apps) {
      const entry: Watched = { app, startedAt: Date.now(), crashes: 0 };
      this.watched.set(app.name, entry);
      this.spawn(entry);
    }
  }

  /** The apps running now. */
  running(): string[] {
    return [...this.watched.values()].filter((entry) => entry.child !== undefined).map((entry) => entry.app.name);
  }

  /** Sends SIGTERM to every app and waits for all to exit, killing any still running after the grace period. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const entry of this.watched.values()) clearTimeout(entry.restartTimer);
    await Promise.all(
      [...this.watched.values()].flatMap((entry) => (entry.child === undefined ? [] : [stopChild(entry.child)])),
    );
  }

  private spawn(entry: Watched): void {
    // Each child gets its own process group, so a terminal's Ctrl-C reaches only
    // the launcher, which forwards one SIGTERM; the IPC channel lets a child
    // notice when the launcher dies and shut itself down.
    const child = spawn(process.execPath, [...(entry.app.nodeArgs ?? []), entry.app.entry], {
      env: { ...entry.app.defaultEnv, ...this.env },
      detached: true,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    entry.child = child;
    entry.startedAt = Date.now();
    child.once('exit', (code, signal) => {
      entry.child = undefined;
      if (!this.stopping) this.crashed(entry, code, signal);
    });
  }

  private crashed(entry: Watched, code: number | null, signal: NodeJS.Signals | null): void {
    const { name } = entry.app;
    if (code === EXIT_CONFIG) {
      this.hooks.onConfigError(name);
      return;
    }
    entry.crashes = crashesAfter(entry.crashes, Date.now() - entry.startedAt);
    const delay = restartDelayMs(entry.crashes);
    this.hooks.say(restartingLine(name, code, signal, delay, !entry.app.hostsAll));
    entry.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      this.spawn(entry);
      const child = entry.child;
      void this.hooks
        .whenBack(name, () => !this.stopping && entry.child === child)
        .then((back) => {
          if (back && !this.stopping && entry.child === child) this.hooks.say(`${name} is back`);
        });
    }, delay);
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
