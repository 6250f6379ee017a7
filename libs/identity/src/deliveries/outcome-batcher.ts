/** How one attempt of one delivery ended, as the delivery log records it. */
export interface DeliveryOutcome {
  readonly id: string;
  /** The round the attempt belonged to; a row that moved on to another round is left alone. */
  readonly round: number;
  /** A 2xx (or, for a queue, the job added): the delivery is done. */
  readonly delivered: boolean;
  /** A failed attempt that ends the delivery as failed (last attempt, 410, other 4xx). */
  readonly final: boolean;
  readonly responseStatus: number | null;
  readonly error: string | null;
  /** When the attempt ended: the log's `delivered_at` and latency, however late the batch is written. */
  readonly at: Date;
}

/** Writes a batch of outcomes; resolves to the latency (ms) of each delivery it marked delivered, by id. */
export type OutcomeWriter = (outcomes: readonly DeliveryOutcome[]) => Promise<ReadonlyMap<string, number>>;

/** The parameters of one `UPDATE … FROM unnest(…)`: one array per column, one entry per delivery. */
export interface OutcomeColumns {
  readonly ids: string[];
  readonly rounds: number[];
  readonly delivered: boolean[];
  readonly final: boolean[];
  readonly statuses: (number | null)[];
  readonly errors: (string | null)[];
  readonly ats: string[];
}

const MAX_ERROR_LENGTH = 1000;

/**
 * Column arrays for a batch. A delivery appears once: UPDATE … FROM applies only one
 * source row per target row. The batcher never puts two outcomes of one (id, round)
 * in a batch (see `takeBatch`); a second one given here anyway is left out.
 */
export function toOutcomeColumns(outcomes: readonly DeliveryOutcome[]): OutcomeColumns {
  const columns: OutcomeColumns = {
    ids: [],
    rounds: [],
    delivered: [],
    final: [],
    statuses: [],
    errors: [],
    ats: [],
  };
  const seen = new Set<string>();
  for (const outcome of outcomes) {
    const key = outcomeKey(outcome);
    if (seen.has(key)) continue;
    seen.add(key);
    columns.ids.push(outcome.id);
    columns.rounds.push(outcome.round);
    columns.delivered.push(outcome.delivered);
    columns.final.push(outcome.final);
    columns.statuses.push(outcome.responseStatus);
    columns.errors.push(outcome.error?.slice(0, MAX_ERROR_LENGTH) ?? null);
    columns.ats.push(outcome.at.toISOString());
  }
  return columns;
}

function outcomeKey(outcome: DeliveryOutcome): string {
  return `${outcome.id}/${outcome.round}`;
}

/**
 * Splits what waits into the next batch (at most `maxBatch`, one outcome per
 * (id, round)) and what stays: a second outcome of a delivery already in the
 * batch (a stalled or replayed job's, racing the original) stays at the front,
 * for the next batch, so each outcome is written, in the order it came.
 */
export function takeBatch<T extends { readonly outcome: DeliveryOutcome }>(
  waiting: readonly T[],
  maxBatch: number,
): { readonly batch: T[]; readonly rest: T[] } {
  const batch: T[] = [];
  const carried: T[] = [];
  const keys = new Set<string>();
  let i = 0;
  for (; i < waiting.length && batch.length < maxBatch; i++) {
    const key = outcomeKey(waiting[i].outcome);
    if (keys.has(key)) {
      carried.push(waiting[i]);
    } else {
      keys.add(key);
      batch.push(waiting[i]);
    }
  }
  return { batch, rest: [...carried, ...waiting.slice(i)] };
}

interface Waiting {
  readonly outcome: DeliveryOutcome;
  resolve(latencyMs: number | undefined): void;
  reject(error: unknown): void;
}

/** How a batcher groups outcomes. */
export interface OutcomeBatcherOptions {
  /** The longest an outcome waits for others before its batch is written. */
  readonly maxDelayMs: number;
  /** A batch this large is written at once. */
  readonly maxBatch: number;
}

/**
 * Groups delivery outcomes into one write every few milliseconds instead of one
 * UPDATE (and one commit) per delivery. `record` resolves only once the batch
 * holding the outcome is written, so whoever awaits it (a job about to complete)
 * never acknowledges an outcome PostgreSQL does not have: a crash before the
 * write can only cause the delivery to be made again, never lost.
 *
 * One write is in flight at a time; outcomes arriving meanwhile form the next
 * batch, so batches grow with load as a group commit does. A batch holds one
 * outcome per delivery and round; a second one waits for the next batch, so every
 * promise resolves only once its own outcome was written.
 */
export class OutcomeBatcher {
  private buffer: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;

  constructor(
    private readonly write: OutcomeWriter,
    private readonly options: OutcomeBatcherOptions,
  ) {}

  /** Queues an outcome; resolves with the delivery's latency (when delivered) once it is written. */
  record(outcome: DeliveryOutcome): Promise<number | undefined> {
    return new Promise((resolve, reject) => {
      this.buffer.push({ outcome, resolve, reject });
      if (this.buffer.length >= this.options.maxBatch) this.kick();
      else this.timer ??= setTimeout(() => this.kick(), this.options.maxDelayMs);
    });
  }

  /** Writes everything buffered so far (graceful shutdown). */
  async flush(): Promise<void> {
    while (this.writing || this.buffer.length > 0) {
      this.kick();
      await this.writing;
    }
  }

  /** Starts a write unless one is in flight (that one starts the next when it ends). */
  private kick(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.writing || this.buffer.length === 0) return;
    const { batch, rest } = takeBatch(this.buffer, this.options.maxBatch);
    this.buffer = rest;
    this.writing = this.writeBatch(batch).finally(() => {
      this.writing = undefined;
      if (this.buffer.length > 0) this.kick();
    });
  }

  private async writeBatch(batch: Waiting[]): Promise<void> {
    try {
      const latencies = await this.write(batch.map((waiting) => waiting.outcome));
      for (const waiting of batch) waiting.resolve(latencies.get(waiting.outcome.id));
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    }
  }
}
