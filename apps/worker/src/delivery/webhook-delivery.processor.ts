import { Injectable, Logger } from '@nestjs/common';
import { DeliveryRepository } from '@app/identity/deliveries/delivery.repository';
import { DeliveryAttemptRow } from '@app/identity/deliveries/delivery.row';
import { DELIVERY_ATTEMPTS } from '@app/identity/deliveries/delivery-backoff';
import { JobName } from '@app/identity/deliveries/delivery-jobs';
import { verdictOf } from '@app/identity/deliveries/delivery-outcome';
import { SecretBox } from '@app/identity/secrets/secret-box';
import { SubscriptionRepository } from '@app/identity/subscriptions/subscription.repository';
import { Job, UnrecoverableError } from 'bullmq';
import { FanOutMetrics } from '../metrics/fan-out.metrics';
import { JobProcessor } from '../queues/job-processor';
import { DeliveryGate } from './delivery-gate';
import { eventBody } from './event-body';
import { WebhookResponse, WebhookSender } from './webhook-sender';

/**
 * POSTs one event to one webhook subscriber. A 2xx ends the delivery; 410 Gone
 * disables the subscription; other 4xx (but 408, 429) fail at once
 * (UnrecoverableError); anything else is thrown so BullMQ retries on the
 * delivery backoff, and the last attempt marks the delivery failed.
 */
@Injectable()
export class WebhookDeliveryProcessor implements JobProcessor<JobName.WebhookDelivery> {
  readonly jobName = JobName.WebhookDelivery;
  private readonly logger = new Logger(WebhookDeliveryProcessor.name);

  constructor(
    private readonly gate: DeliveryGate,
    private readonly deliveries: DeliveryRepository,
    private readonly subscriptions: SubscriptionRepository,
    private readonly secrets: SecretBox,
    private readonly sender: WebhookSender,
    private readonly metrics: FanOutMetrics,
  ) {}

  async process(job: Job<{ deliveryId: string; round: number }>, token: string | undefined): Promise<void> {
    const delivery = await this.gate.admit(job, token);
    if (!delivery) return;
    const response = await this.sender.send({
      url: delivery.url!,
      messageId: delivery.eventId,
      body: eventBody(delivery.event),
      // Loaded and opened here, never carried in the job: context = the subscription id it was sealed for.
      secret: this.secrets.open(delivery.secretSealed!, delivery.subscriptionId),
    });
    await this.record(job, delivery, response);
  }

  private async record(job: Job, delivery: DeliveryAttemptRow, response: WebhookResponse): Promise<void> {
    const status = 'status' in response ? response.status : undefined;
    const attempt = {
      responseStatus: status ?? null,
      error: 'error' in response ? response.error : status === undefined ? null : `HTTP ${status}`,
    };
    const where = `delivery=${delivery.id} subscription=${delivery.subscriptionId} event=${delivery.eventId}`;
    const verdict = verdictOf(status);
    switch (verdict) {
      case 'delivered': {
        const latencyMs = await this.deliveries.markDelivered(delivery.id, delivery.round, {
          responseStatus: status!,
          error: null,
        });
        this.metrics.delivered('webhook', latencyMs);
        return;
      }
      case 'gone':
        // Record the delivery first: whoever sees the subscription disabled then sees why.
        await this.deliveries.markAttemptFailed(
          delivery.id,
          delivery.round,
          { ...attempt, error: 'HTTP 410 Gone: subscription disabled' },
          true,
        );
        await this.subscriptions.disable(delivery.subscriptionId, 'the receiver answered 410 Gone');
        this.metrics.outcome('webhook', 'gone');
        this.logger.warn(`event.delivery.gone ${where}: subscription disabled`);
        throw new UnrecoverableError('410 Gone: the subscription was disabled');
      case 'rejected':
        await this.deliveries.markAttemptFailed(delivery.id, delivery.round, attempt, true);
        this.metrics.outcome('webhook', 'failed');
        this.logger.warn(`event.delivery.rejected ${where} status=${status}`);
        throw new UnrecoverableError(`the receiver refused the event: HTTP ${status}`);
      case 'retry': {
        const final = job.attemptsMade + 1 >= (job.opts.attempts ?? DELIVERY_ATTEMPTS);
        await this.deliveries.markAttemptFailed(delivery.id, delivery.round, attempt, final);
        this.metrics.outcome('webhook', final ? 'failed' : 'retried');
        if (final)
          this.logger.warn(`event.delivery.failed ${where} attempts=${job.attemptsMade + 1}: ${attempt.error}`);
        throw new Error(attempt.error ?? 'delivery failed');
      }
      default:
        throw new Error(`unknown verdict ${String(verdict)}`);
    }
  }
}
