import { Agent as HttpAgent, IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Webhook } from 'standardwebhooks';

/** A receiver has this long to answer before the attempt counts as failed and is retried. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/** Connections kept open per receiver: a TCP (and TLS) handshake per event would cost more than the POST. */
const AGENT_OPTIONS = { keepAlive: true, maxSockets: 64, maxFreeSockets: 64, scheduling: 'lifo' } as const;
/** Signers kept, one per secret: each holds the decoded key. */
const MAX_SIGNERS = 10_000;

/** One signed POST to a webhook receiver. */
export interface WebhookRequest {
  readonly url: string;
  /** The `webhook-id` header: the event id, the same on every retry, so receivers can deduplicate. */
  readonly messageId: string;
  readonly body: string;
  /** The subscription's `whsec_…` secret. */
  readonly secret: string;
}

/** The receiver's status, or why there is none (refused, timed out…); `timedOut` when no answer came in time. */
export type WebhookResponse = { readonly status: number } | { readonly error: string; readonly timedOut?: boolean };

/**
 * Sends Standard Webhooks requests over keep-alive connections; the network
 * boundary the processors' tests replace. `node:http` rather than `fetch`: the
 * same requests for a fraction of the CPU, which the fan-out spends per delivery.
 */
@Injectable()
export class WebhookSender implements OnApplicationShutdown {
  private readonly http = new HttpAgent(AGENT_OPTIONS);
  private readonly https = new HttpsAgent(AGENT_OPTIONS);
  private readonly signers = new Map<string, Webhook>();

  /** POSTs the event; the request is aborted after `timeoutMs` (every attempt has the contract's full timeout). */
  send(request: WebhookRequest, timeoutMs: number = WEBHOOK_TIMEOUT_MS): Promise<WebhookResponse> {
    const timestamp = new Date();
    const body = Buffer.from(request.body, 'utf8');
    const headers = {
      'content-type': 'application/json',
      'content-length': String(body.length),
      'user-agent': 'identity-gateway-webhooks/1',
      'webhook-id': request.messageId,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': this.signer(request.secret).sign(request.messageId, timestamp, request.body),
    };
    return new Promise((resolve) => {
      let url: URL;
      try {
        url = new URL(request.url);
      } catch {
        resolve({ error: 'request failed: invalid URL' });
        return;
      }
      const secure = url.protocol === 'https:';
      const options = { method: 'POST', headers, agent: secure ? this.https : this.http };
      // A redirect is not an acknowledgement: node:http does not follow it, and it is retried like any other non-2xx.
      const req = (secure ? httpsRequest : httpRequest)(url, options, (response: IncomingMessage) => {
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0 });
        // The answer's body says nothing we keep; drain it so the connection returns to the pool.
        response.resume();
        response.on('error', () => undefined);
      });
      const timer = setTimeout(() => req.destroy(new WebhookTimeoutError(timeoutMs)), timeoutMs);
      req.on('error', (error) => {
        clearTimeout(timer);
        resolve(
          error instanceof WebhookTimeoutError
            ? { error: `no answer within ${error.timeoutMs / 1000} s`, timedOut: true }
            : { error: describeFailure(error) },
        );
      });
      req.end(body);
    });
  }

  onApplicationShutdown(): void {
    this.http.destroy();
    this.https.destroy();
  }

  /** Standard Webhooks' signer for a secret, kept: constructing one decodes the key. */
  private signer(secret: string): Webhook {
    let signer = this.signers.get(secret);
    if (!signer) {
      if (this.signers.size >= MAX_SIGNERS) this.signers.clear();
      signer = new Webhook(secret);
      this.signers.set(secret, signer);
    }
    return signer;
  }
}

class WebhookTimeoutError extends Error {
  override readonly name = 'TimeoutError';

  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

function describeFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code) return `connection failed: ${code}`;
  return `request failed: ${error instanceof Error ? error.message : String(error)}`;
}
