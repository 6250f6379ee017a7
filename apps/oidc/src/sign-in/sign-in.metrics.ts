import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@app/platform';
import { Counter } from 'prom-client';

/** How a sign-in attempt ended, as the metrics count it. */
export type SignInOutcome = 'signed_in' | 'refused' | 'failed' | 'error';

/** Sign-in's metrics on the OIDC app's /metrics. */
@Injectable()
export class SignInMetrics {
  private readonly outcomes: Counter<'outcome'>;
  private readonly sessionsEnded: Counter<'reason'>;

  constructor(registry: MetricsRegistry) {
    this.outcomes = new Counter({
      name: 'gateway_sign_ins_total',
      help: 'Sign-in callbacks by outcome: signed_in, refused (by policy), failed (a bad or stale response), error',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.sessionsEnded = new Counter({
      name: 'gateway_sessions_ended_total',
      help: 'Sessions ended by logout, or by the deactivation or deletion of their user',
      labelNames: ['reason'],
      registers: [registry],
    });
  }

  signIn(outcome: SignInOutcome): void {
    this.outcomes.inc({ outcome });
  }

  sessionsEndedBy(reason: 'logout' | 'user.deactivated' | 'user.deleted' | 'revoked', count = 1): void {
    if (count > 0) this.sessionsEnded.inc({ reason }, count);
  }
}
