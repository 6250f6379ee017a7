/** Where an OutageReporter writes: a Nest Logger fits. */
export interface OutageLog {
  warn(message: string): void;
  log(message: string): void;
}

/**
 * Says once that a dependency went away and once that it is back, rather than
 * at every reconnection attempt (every few hundred milliseconds while it is down).
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
    this.log.warn(`${this.what} is unavailable (${error.message}); retrying in the background`);
  }

  recovered(): void {
    if (!this.down) return;
    this.down = false;
    this.log.log(`${this.what} is available again`);
  }
}
