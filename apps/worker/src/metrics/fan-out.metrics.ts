import { Injectable } from '@nestjs/common';
import { DeliveryRepository } from '@app/identity/deliveries/delivery.repository';
import { QueueName } from '@app/identity/deliveries/delivery-jobs';
import { EventQueues } from '@app/identity/deliveries/event-queues';
import { withTimeout } from '@app/identity/deliveries/with-timeout';
import { MetricsRegistry } from '@app/platform';
import { Counter, Gauge, Histogram } from 'prom-client';

type Kind = 'webhook' | 'queue';
type Outcome = 'delivered' | 'retried' | 'failed' | 'gone';

const SCRAPE_TIMEOUT_MS = 1000;
const JOB_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/** The fan-out's metrics on the worker's /metrics. */
@Injectable()
export class FanOutMetrics {
  private readonly outcomes: Counter<'kind' | 'outcome'>;
  private readonly latency: Histogram<'kind'>;
  private readonly relayed: Counter;
  private readonly repairs: Counter<'kind' | 'job'>;

  constructor(registry: MetricsRegistry, deliveries: DeliveryRepository, queues: EventQueues) {
    this.outcomes = new Counter({
      name: 'gateway_delivery_attempts_total',
      help: 'Delivery attempts by subscription kind and outcome (delivered, retried, failed, gone)',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    });
    this.latency = new Histogram({
      name: 'gateway_delivery_latency_seconds',
      help: 'Time from an event’s commit to its delivery',
      labelNames: ['kind'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600],
      registers: [registry],
    });
    this.relayed = new Counter({
      name: 'gateway_outbox_relayed_total',
      help: 'Outbox events relayed: handed to the fan-out queue, or done at once when no subscription selects them',
      registers: [registry],
    });
    this.repairs = new Counter({
      name: 'gateway_delivery_repairs_total',
      help: 'Pending deliveries queued again by the repair round, by subscription kind and what became of their job (missing, failed, completed)',
      labelNames: ['kind', 'job'],
      registers: [registry],
    });
    new Gauge({
      name: 'gateway_outbox_lag_seconds',
      help: 'Age of the oldest outbox event not yet relayed (0 when none waits)',
      registers: [registry],
      async collect() {
        this.set(await deliveries.outboxLagSeconds());
      },
    });
    new Gauge({
      name: 'gateway_deliveries',
      help: 'Deliveries not delivered, by status (pending, failed)',
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        this.reset();
        this.set({ status: 'pending' }, 0);
        this.set({ status: 'failed' }, 0);
        for (const { status, count } of await deliveries.openCounts()) this.set({ status }, count);
      },
    });
    new Gauge({
      name: 'gateway_queue_jobs',
      help: 'Jobs in the fan-out queues, by queue and state',
      labelNames: ['queue', 'state'],
      registers: [registry],
      async collect() {
        for (const name of Object.values(QueueName)) {
          // While Redis is away the gauge keeps its last values rather than failing the scrape.
          const counts = await withTimeout(
            queues.queue(name).getJobCounts(...JOB_STATES),
            SCRAPE_TIMEOUT_MS,
            'timeout',
          ).catch(() => undefined);
          for (const state of JOB_STATES) if (counts) this.set({ queue: name, state }, counts[state] ?? 0);
        }
      },
    });
  }

  delivered(kind: Kind, latencyMs: number | undefined): void {
    this.outcomes.inc({ kind, outcome: 'delivered' });
    if (latencyMs !== undefined) this.latency.observe({ kind }, latencyMs / 1000);
  }

  outcome(kind: Kind, outcome: Outcome): void {
    this.outcomes.inc({ kind, outcome });
  }

  /** A pending delivery whose job was missing or failed was queued again. */
  repaired(kind: Kind, job: 'missing' | 'failed' | 'completed'): void {
    this.repairs.inc({ kind, job });
  }

  relayedEvents(count: number): void {
    this.relayed.inc(count);
  }
}
