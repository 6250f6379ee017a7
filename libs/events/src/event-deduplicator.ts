import type { Redis } from 'ioredis';

/** Options of an EventDeduplicator. */
export interface EventDeduplicatorOptions {
  /** Keys are `${prefix}:${consumer}:seen:${eventId}`. */
  readonly prefix: string;
  /** Names the consumer, so two services deduplicate independently. */
  readonly consumer: string;
  /** How long an event id is remembered (default 7 days, beyond any redelivery). */
  readonly ttlSeconds?: number;
}

const WEEK_S = 7 * 24 * 3600;

/**
 * Turns at-least-once into effectively-once for a handler: an event id is
 * claimed with SET NX (atomic across replicas) before the work, and released
 * if the work fails, so a retry may do it again.
 */
export class EventDeduplicator {
  private readonly ttlSeconds: number;

  constructor(
    private readonly redis: Redis,
    private readonly options: EventDeduplicatorOptions,
  ) {
    this.ttlSeconds = options.ttlSeconds ?? WEEK_S;
  }

  /** Runs `work` unless this event id was handled (or is being handled) already; true when it ran. */
  async once(eventId: string, work: () => Promise<void>): Promise<boolean> {
    const key = this.key(eventId);
    const claimed = await this.redis.set(key, '1', 'EX', this.ttlSeconds, 'NX');
    if (claimed !== 'OK') return false;
    try {
      await work();
      return true;
    } catch (error) {
      await this.redis.del(key).catch(() => undefined);
      throw error;
    }
  }

  private key(eventId: string): string {
    return `${this.options.prefix}:${this.options.consumer}:seen:${eventId}`;
  }
}
