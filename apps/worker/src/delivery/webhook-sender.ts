import { Injectable } from '@nestjs/common';
import { Webhook } from 'standardwebhooks';

/** A receiver has this long to answer before the attempt counts as failed and is retried. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/** One signed POST to a webhook receiver. */
export interface WebhookRequest {
  readonly url: string;
  /** The `webhook-id` header: the event id, the same on every retry, so receivers can deduplicate. */
  readonly messageId: string;
  readonly body: string;
  /** The subscription's `whsec_…` secret. */
  readonly secret: string;
}

/** The receiver's status, or why there is none (refused, timed out…). */
export type WebhookResponse = { readonly status: number } | { readonly error: string };

/** Sends Standard Webhooks requests; the network boundary the processors' tests replace. */
@Injectable()
export class WebhookSender {
  async send(request: WebhookRequest): Promise<WebhookResponse> {
    const timestamp = new Date();
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'identity-gateway-webhooks/1',
      'webhook-id': request.messageId,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': new Webhook(request.secret).sign(request.messageId, timestamp, request.body),
    };
    try {
      const response = await fetch(request.url, {
        method: 'POST',
        headers,
        body: request.body,
        // A redirect is not an acknowledgement: it is retried like any other non-2xx answer.
        redirect: 'manual',
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      // The answer's body says nothing we keep; drop it so the connection returns to the pool.
      await response.body?.cancel().catch(() => undefined);
      return { status: response.status };
    } catch (error) {
      return { error: describeFailure(error) };
    }
  }
}

function describeFailure(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${WEBHOOK_TIMEOUT_MS / 1000} s`;
  }
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  if (cause?.code) return `connection failed: ${cause.code}`;
  return `request failed: ${cause?.message ?? (error instanceof Error ? error.message : String(error))}`;
}
