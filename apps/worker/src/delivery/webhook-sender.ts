import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, ResolvedConfig, findOutboundAddressError, guardedDispatcher } from '@app/platform';
import { Webhook } from 'standardwebhooks';
import type { Agent } from 'undici';

/** A receiver has this long to answer before the attempt counts as failed and is retried. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * Connections kept open per receiver: a TCP (and TLS) handshake per event would
 * cost more than the POST. An idle one closes before the receiver would close
 * it (its keep-alive hint, at most 30 s; 4 s without one).
 */
const AGENT_OPTIONS = { connections: 64, keepAliveTimeout: 4_000, keepAliveMaxTimeout: 30_000 } as const;
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

/**
 * The receiver's status, or why there is none (refused, timed out…); `timedOut` when no answer came in time,
 * `refused` when the outbound address rule stopped it before connecting (no attempt can do better).
 */
export type WebhookResponse =
  { readonly status: number } | { readonly error: string; readonly timedOut?: boolean; readonly refused?: boolean };

/**
 * Sends Standard Webhooks requests over keep-alive connections; the network
 * boundary the processors' tests replace. undici's `request` rather than
 * `fetch`: the same requests for a fraction of the CPU, which the fan-out
 * spends per delivery. Its dispatcher refuses non-public addresses at every
 * connection unless ALLOW_PRIVATE_NETWORKS is set.
 */
@Injectable()
export class WebhookSender implements OnApplicationShutdown {
  private readonly dispatcher: Agent;
  private readonly signers = new Map<string, Webhook>();

  constructor(@Inject(APP_CONFIG) config: ResolvedConfig) {
    this.dispatcher = guardedDispatcher({ allowPrivateNetworks: config.allowPrivateNetworks, agent: AGENT_OPTIONS });
  }

  /** POSTs the event; the request is aborted after `timeoutMs` (every attempt has the contract's full timeout). */
  async send(request: WebhookRequest, timeoutMs: number = WEBHOOK_TIMEOUT_MS): Promise<WebhookResponse> {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return { error: 'request failed: invalid URL' };
    }
    const timestamp = new Date();
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'identity-gateway-webhooks/1',
      'webhook-id': request.messageId,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': this.signer(request.secret).sign(request.messageId, timestamp, request.body),
    };
    // Credentials in the URL are sent as Basic authentication, as node:http did.
    if (url.username || url.password) {
      const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    }
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new WebhookTimeoutError(timeoutMs)), timeoutMs);
    try {
      // A redirect is not an acknowledgement: `request` does not follow it, and it is retried like any other non-2xx.
      const response = await this.dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers,
        body: request.body,
        signal: abort.signal,
      });
      // The answer's body says nothing we keep; drain it so the connection returns to the pool.
      response.body.dump().catch(() => undefined);
      return { status: response.statusCode };
    } catch (error) {
      if (error instanceof WebhookTimeoutError) {
        return { error: `no answer within ${error.timeoutMs / 1000} s`, timedOut: true };
      }
      // A private address stays private until the operator changes the URL or ALLOW_PRIVATE_NETWORKS.
      const refused = findOutboundAddressError(error)?.code === 'private_address';
      return refused ? { error: describeFailure(error), refused } : { error: describeFailure(error) };
    } finally {
      clearTimeout(timer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.dispatcher.destroy();
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
  // Refused before connecting: say why, and nothing about the address's ports.
  const refused = findOutboundAddressError(error);
  if (refused) return `refused: ${refused.message}`;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code) return `connection failed: ${code}`;
  return `request failed: ${error instanceof Error ? error.message : String(error)}`;
}
