import { IncomingHttpHeaders, Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';

/** One request a receiver got. */
export interface ReceivedWebhook {
  readonly headers: IncomingHttpHeaders;
  /** The raw body, as signed. */
  readonly body: string;
  /** The parsed event. */
  readonly event: any;
  readonly receivedAt: number;
  /** The status the receiver answered (0 when it never answers). */
  readonly answered: number;
}

/** Chooses the status for the n-th request (0-based). */
export type Responder = (index: number, body: string) => number;

/** A real HTTP webhook receiver on loopback that records what it gets and answers as told. */
export interface WebhookReceiver {
  readonly url: string;
  readonly received: ReceivedWebhook[];
  /** Only the requests answered with a 2xx. */
  accepted(): ReceivedWebhook[];
  /** Changes how later requests are answered. */
  respondWith(responder: Responder): void;
  close(): Promise<void>;
}

/** How a receiver answers: after `delayMs`, or (`neverAnswer`) not at all, holding the connection open. */
export interface ReceiverOptions {
  readonly delayMs?: number;
  /** A black hole: takes every request and never answers (until closed). */
  readonly neverAnswer?: boolean;
}

/** Starts a receiver on 127.0.0.1; by default it answers 204 to everything, at once (or after `delayMs`). */
export async function startWebhookReceiver(
  responder: Responder = () => 204,
  options: ReceiverOptions = {},
): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let respond = responder;
  let index = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const status = respond(index++, body);
      let event: unknown;
      try {
        event = JSON.parse(body);
      } catch {
        event = undefined;
      }
      received.push({
        headers: req.headers,
        body,
        event,
        receivedAt: Date.now(),
        answered: options.neverAnswer ? 0 : status,
      });
      if (options.neverAnswer) return;
      res.statusCode = status;
      if (options.delayMs) setTimeout(() => res.end(), options.delayMs);
      else res.end();
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    accepted: () => received.filter((request) => request.answered >= 200 && request.answered < 300),
    respondWith: (next) => {
      respond = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what} not met within ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
