import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, ResolvedConfig, findOutboundAddressError, guardedDispatcher } from '@app/platform';
import { Webhook } from 'standardwebhooks';
import type { Agent } from 'undici';
import { IdentityError } from '../errors/identity-error';
import { SecretBox } from '../secrets/secret-box';
import { SubscriptionsService } from '../subscriptions/subscriptions.service';
import { TestEvent, testEvent } from '../subscriptions/test-event';

const TIMEOUT_MS = 10_000;

/** What the receiver made of a test delivery. */
export interface WebhookTestResult {
  readonly event: TestEvent;
  /** The receiver's HTTP status, or null when there was no answer. */
  readonly status: number | null;
  readonly ok: boolean;
  readonly error: string | null;
  readonly latencyMs: number;
}

/**
 * Sends a signed test event to a webhook subscription, at once and once (no
 * retry, nothing recorded), so an operator can check the URL and the receiver's
 * signature check. Through the outbound-address guard, like every delivery.
 */
@Injectable()
export class WebhookTestService implements OnApplicationShutdown {
  private readonly dispatcher: Agent;

  constructor(
    private readonly subscriptions: SubscriptionsService,
    private readonly secrets: SecretBox,
    @Inject(APP_CONFIG) config: ResolvedConfig,
  ) {
    this.dispatcher = guardedDispatcher({ allowPrivateNetworks: config.allowPrivateNetworks, agent: {} });
  }

  async send(subscriptionId: string): Promise<WebhookTestResult> {
    const subscription = await this.subscriptions.get(subscriptionId);
    if (subscription.kind !== 'webhook' || !subscription.url || !subscription.secretSealed) {
      throw new IdentityError('unprocessable', 'only a webhook subscription can be sent a test event');
    }
    const event = testEvent(subscription);
    const body = JSON.stringify(event);
    const timestamp = new Date();
    const secret = this.secrets.open(subscription.secretSealed, subscription.id);
    const url = new URL(subscription.url);
    const started = Date.now();
    try {
      const response = await this.dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'identity-gateway-webhooks/1',
          'webhook-id': event.id,
          'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
          'webhook-signature': new Webhook(secret).sign(event.id, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      await response.body.dump().catch(() => undefined);
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      return { event, status: response.statusCode, ok, error: null, latencyMs: Date.now() - started };
    } catch (error) {
      const refused = findOutboundAddressError(error);
      const reason = refused
        ? `refused: ${refused.message}`
        : (error as Error).name === 'TimeoutError'
          ? `no answer within ${TIMEOUT_MS / 1000} s`
          : `request failed: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
      return { event, status: null, ok: false, error: reason, latencyMs: Date.now() - started };
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.dispatcher.destroy();
  }
}
