import { Injectable, Logger } from '@nestjs/common';
import { ResponseVerdict, verdictOf } from '@app/identity/deliveries/delivery-outcome';
import { SecretBox } from '@app/identity/secrets/secret-box';
import { SubscriptionRepository } from '@app/identity/subscriptions/subscription.repository';
import { FanOutMetrics } from '../metrics/fan-out.metrics';
import { DeliveryOutcomes } from './delivery-outcomes';
import { SubscriberPace } from './subscriber-pace';
import { WebhookSender } from './webhook-sender';

/** The delivery an attempt is for, and where its subscriber listens. */
export interface WebhookTarget {
  readonly id: string;
  readonly round: number;
  readonly subscriptionId: string;
  readonly url: string | null;
  /** Loaded with the delivery, never carried in a job; opened here. */
  readonly secretSealed: Buffer | null;
}

/** Which attempt of its round this is, and whether a failure ends the delivery. */
export interface AttemptPlace {
  readonly attempt: number;
  readonly final: boolean;
}

/**
 * What an attempt means for the delivery: the receiver's verdict, or `refused` when the
 * outbound address rule stopped it before connecting (failed for good, like `rejected`).
 */
export type AttemptVerdict = ResponseVerdict | 'refused';

/** How the attempt went: its verdict, and the error the log records (null when delivered). */
export interface AttemptResult {
  readonly verdict: AttemptVerdict;
  readonly error: string | null;
}

/** Opened secrets kept, one per subscription. */
const MAX_OPENED = 10_000;

/**
 * One attempt of one webhook delivery, for the fan-out's first attempt and the
 * delivery jobs' retries alike: POSTs the signed event, records the outcome in
 * the delivery log (resolving once it is stored), disables the subscription on
 * 410 Gone. Tells SubscriberPace how long the receiver took. What to do next
 * (throw for BullMQ, add a retry job) is the caller's.
 */
@Injectable()
export class WebhookAttempt {
  private readonly logger = new Logger(WebhookAttempt.name);
  /** Opening costs an AES-GCM decryption; the sealed bytes are the key's check, so a new secret is opened anew. */
  private readonly opened = new Map<string, { sealed: Buffer; secret: string }>();

  constructor(
    private readonly sender: WebhookSender,
    private readonly secrets: SecretBox,
    private readonly outcomes: DeliveryOutcomes,
    private readonly subscriptions: SubscriptionRepository,
    private readonly metrics: FanOutMetrics,
    private readonly pace: SubscriberPace,
  ) {}

  async make(target: WebhookTarget, eventId: string, body: string, place: AttemptPlace): Promise<AttemptResult> {
    const started = performance.now();
    const response = await this.sender.send({
      url: target.url!,
      messageId: eventId,
      body,
      // Context = the subscription id it was sealed for.
      secret: this.secret(target),
    });
    const at = new Date();
    this.pace.observe(target.subscriptionId, {
      elapsedMs: performance.now() - started,
      timedOut: 'timedOut' in response && response.timedOut === true,
    });
    const status = 'status' in response ? response.status : undefined;
    const error = 'error' in response ? response.error : status === undefined ? null : `HTTP ${status}`;
    const verdict: AttemptVerdict = 'refused' in response && response.refused ? 'refused' : verdictOf(status);
    const outcome = { id: target.id, round: target.round, responseStatus: status ?? null, at };
    const where = `delivery=${target.id} subscription=${target.subscriptionId} event=${eventId}`;
    switch (verdict) {
      case 'delivered': {
        const latencyMs = await this.outcomes.record({ ...outcome, delivered: true, final: false, error: null });
        this.metrics.delivered('webhook', latencyMs);
        return { verdict, error: null };
      }
      case 'gone': {
        const reason = 'HTTP 410 Gone: subscription disabled';
        // Record the delivery first: whoever sees the subscription disabled then sees why.
        await this.outcomes.record({ ...outcome, delivered: false, final: true, error: reason });
        await this.subscriptions.disable(target.subscriptionId, 'the receiver answered 410 Gone');
        this.metrics.outcome('webhook', 'gone');
        this.logger.warn(`event.delivery.gone ${where}: subscription disabled`);
        return { verdict, error: reason };
      }
      case 'rejected':
        await this.outcomes.record({ ...outcome, delivered: false, final: true, error });
        this.metrics.outcome('webhook', 'failed');
        this.logger.warn(`event.delivery.rejected ${where} status=${status}`);
        return { verdict, error };
      case 'refused':
        // Failed at once: every retry would be refused alike; a retry by hand works once the URL or the setting is fixed.
        await this.outcomes.record({ ...outcome, delivered: false, final: true, error });
        this.metrics.outcome('webhook', 'failed');
        this.logger.warn(`event.delivery.refused ${where}: ${error}`);
        return { verdict, error };
      case 'retry':
        await this.outcomes.record({ ...outcome, delivered: false, final: place.final, error });
        this.metrics.outcome('webhook', place.final ? 'failed' : 'retried');
        if (place.final) this.logger.warn(`event.delivery.failed ${where} attempts=${place.attempt}: ${error}`);
        return { verdict, error };
      default:
        throw new Error(`unknown verdict ${String(verdict)}`);
    }
  }

  private secret(target: WebhookTarget): string {
    const sealed = target.secretSealed!;
    const cached = this.opened.get(target.subscriptionId);
    if (cached?.sealed.equals(sealed)) return cached.secret;
    const secret = this.secrets.open(sealed, target.subscriptionId);
    if (this.opened.size >= MAX_OPENED) this.opened.clear();
    this.opened.set(target.subscriptionId, { sealed, secret });
    return secret;
  }
}
