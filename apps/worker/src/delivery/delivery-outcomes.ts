import { Injectable } from '@nestjs/common';
import { DeliveryRepository } from '@app/identity/deliveries/delivery.repository';
import { DeliveryOutcome, OutcomeBatcher } from '@app/identity/deliveries/outcome-batcher';

/** Outcomes wait at most this long for others; at 5,000 deliveries/s that is a batch of ~25 per write. */
const MAX_DELAY_MS = 5;
const MAX_BATCH = 500;

/**
 * The delivery log's writer for attempt outcomes: one UPDATE (and one commit) per
 * batch instead of per delivery. `record` resolves once the outcome is in
 * PostgreSQL, so a job completes only after its outcome is stored.
 */
@Injectable()
export class DeliveryOutcomes {
  private readonly batcher: OutcomeBatcher;
  /** Attempts running on after their job ended (the fan-out's, past its budget): shutdown waits for their outcomes. */
  private readonly unowned = new Set<Promise<unknown>>();

  constructor(deliveries: DeliveryRepository) {
    this.batcher = new OutcomeBatcher((outcomes) => deliveries.recordOutcomes(outcomes), {
      maxDelayMs: MAX_DELAY_MS,
      maxBatch: MAX_BATCH,
    });
  }

  /** Stores the outcome (with others); resolves to the latency when it marked the delivery delivered. */
  record(outcome: DeliveryOutcome): Promise<number | undefined> {
    return this.batcher.record(outcome);
  }

  /** Keeps track of an attempt no job waits for, so that shutdown lets it record its outcome. */
  awaitOnShutdown(attempt: Promise<unknown>): void {
    const settled: Promise<unknown> = attempt.catch(() => undefined).finally(() => this.unowned.delete(settled));
    this.unowned.add(settled);
  }

  /** Writes what is buffered: on shutdown, after the workers stopped taking jobs, once unowned attempts ended. */
  async flush(): Promise<void> {
    while (this.unowned.size > 0) await Promise.all([...this.unowned]);
    await this.batcher.flush();
  }
}
