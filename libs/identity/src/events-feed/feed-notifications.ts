import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, PgListener, ResolvedConfig } from '@app/platform';
import { EVENTS_FEED_CHANNEL } from './feed-stamper';

/** Long-polling requests parked at once in one process; more are answered at once instead. */
export const MAX_FEED_WAITERS = 2000;
/** Without a live LISTEN connection, waiters look again this often. */
const UNHEARD_RECHECK_MS = 1000;

interface Waiter {
  readonly wake: () => void;
}

/**
 * Parks long-polling feed requests until the stamper's NOTIFY says new positions
 * committed. One LISTEN connection per process, opened at the first wait; each
 * notification wakes every parked request, which then reads again.
 */
@Injectable()
export class FeedNotifications implements BeforeApplicationShutdown, OnApplicationShutdown {
  private listener: PgListener | undefined;
  private readonly waiters = new Set<Waiter>();
  private notified = 0;
  private closed = false;

  constructor(@Inject(APP_CONFIG) private readonly config: Pick<ResolvedConfig, 'databaseUrl'>) {}

  /** Counts notifications; a reader takes it before reading, so a commit during its read is not slept through. */
  get generation(): number {
    return this.notified;
  }

  /** Starts listening (also done by the first wait). */
  start(): void {
    if (this.listener || this.closed) return;
    this.listener = new PgListener(this.config.databaseUrl, EVENTS_FEED_CHANNEL, () => this.notify());
    this.listener.start();
  }

  /**
   * Resolves true when a notification arrives after `generation` (at once if one
   * did already) or after `timeoutMs`: read again. Resolves false when the request
   * should answer now instead: too many requests wait, or the process is shutting down.
   */
  async waitAfter(generation: number, timeoutMs: number): Promise<boolean> {
    if (this.closed) return false;
    this.start();
    if (this.notified !== generation) return true;
    if (this.waiters.size >= MAX_FEED_WAITERS || timeoutMs <= 0) return false;
    const ms = this.listener?.listening ? timeoutMs : Math.min(timeoutMs, UNHEARD_RECHECK_MS);
    await new Promise<void>((resolve) => {
      const waiter: Waiter = {
        wake: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(waiter.wake, ms);
      this.waiters.add(waiter);
    });
    return !this.closed;
  }

  /** How many requests are parked now. */
  get waiting(): number {
    return this.waiters.size;
  }

  /** Answers every parked request now: the HTTP server waits for requests in flight before it closes. */
  beforeApplicationShutdown(): void {
    this.closed = true;
    for (const waiter of [...this.waiters]) waiter.wake();
  }

  async onApplicationShutdown(): Promise<void> {
    this.beforeApplicationShutdown();
    await this.listener?.stop();
    this.listener = undefined;
  }

  private notify(): void {
    this.notified += 1;
    for (const waiter of [...this.waiters]) waiter.wake();
  }
}
