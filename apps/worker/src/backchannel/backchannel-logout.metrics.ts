import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@app/platform';
import { Counter } from 'prom-client';

/** What became of one attempt to send a logout token. */
export type BackchannelOutcome = 'delivered' | 'retried' | 'failed' | 'skipped';

/** Back-channel logout attempts on the worker's /metrics. */
@Injectable()
export class BackchannelLogoutMetrics {
  private readonly attempts: Counter<'outcome'>;

  constructor(registry: MetricsRegistry) {
    this.attempts = new Counter({
      name: 'gateway_backchannel_logout_attempts_total',
      help: 'Back-channel logout attempts by outcome (delivered, retried, failed, skipped: no URI any more)',
      labelNames: ['outcome'],
      registers: [registry],
    });
  }

  attempt(outcome: BackchannelOutcome): void {
    this.attempts.inc({ outcome });
  }
}
