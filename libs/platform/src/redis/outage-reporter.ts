/** Where an OutageReporter writes: a Nest Logger fits. */
export interface OutageLog {
  warn(message: string): void;
  log(message: string): void;
}

/** The reporters of each dependency that see it down, per process: several apps may share one process. */
const downReporters = new Map<string, Set<OutageReporter>>();

/**
 * Says once that a dependency went away and once that it is back, rather than
 * at every reconnection attempt (every few hundred milliseconds while it is down),
 * and once per process: the clients of every app in it (`npm start` hosts them all
 * in one) report the same outage together.
 */
export class OutageReporter {
  private down = false;

  constructor(
    private readonly log: OutageLog,
    private readonly what: string,
  ) {}

  failed(error: Error): void {
    if (this.down) return;
    this.down = true;
    const down = downReporters.get(this.what) ?? new Set<OutageReporter>();
    downReporters.set(this.what, down);
    down.add(this);
    if (down.size > 1) return;
    this.log.warn(`${this.what} is unavailable (${error.message}); retrying in the background`);
  }

  recovered(): void {
    if (!this.down) return;
    this.down = false;
    const down = downReporters.get(this.what);
    down?.delete(this);
    if (down && down.size > 0) return;
    downReporters.delete(this.what);
    this.log.log(`${this.what} is available again`);
  }
}
