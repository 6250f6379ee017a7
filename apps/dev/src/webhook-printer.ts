import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** Bodies larger than this are refused: an event is a few kilobytes. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface WebhookPrinterOptions {
  /** The port on 127.0.0.1 (0: any free one). */
  readonly port: number;
  /** The subscription's `whsec_…` signing secret. */
  readonly secret: string;
  /** Where verified events go (stdout). */
  readonly print: (text: string) => void;
  /** Where refused requests are reported (stderr). */
  readonly warn: (text: string) => void;
}

export interface WebhookPrinter {
  /** `http://127.0.0.1:PORT/`: any path receives. */
  readonly url: string;
  close(): Promise<void>;
}

/** The fields of an event a person looks for first. */
interface EventSummary {
  id?: unknown;
  type?: unknown;
  sequence?: unknown;
  tenant?: { slug?: unknown };
  subject?: { type?: unknown; id?: unknown };
}

/** A subscription's signing secret, checked before anything listens. */
export function signatureVerifier(secret: string): Webhook {
  if (!/^whsec_[A-Za-z0-9+/=]+$/.test(secret)) {
    throw new Error('the secret is the whsec_… value the subscription was created with');
  }
  return new Webhook(secret);
}

/** One line that says which event arrived, then the event as indented JSON. */
export function describeEvent(event: unknown): string {
  const summary = (typeof event === 'object' && event !== null ? event : {}) as EventSummary;
  const line = [
    scalar(summary.type, '(no type)'),
    `tenant ${scalar(summary.tenant?.slug)}`,
    `${scalar(summary.subject?.type, 'subject')} ${scalar(summary.subject?.id)}`,
    `sequence ${scalar(summary.sequence)}`,
    `id ${scalar(summary.id)}`,
  ].join('  ');
  return `${line}\n${JSON.stringify(event, null, 2)}\n`;
}

function scalar(value: unknown, missing = '-'): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : missing;
}

/**
 * A webhook receiver for trying subscriptions locally: on loopback, it checks
 * each request's Standard Webhooks signature and prints the verified events;
 * a request whose signature does not verify gets 401 and is not printed.
 */
export async function startWebhookPrinter(options: WebhookPrinterOptions): Promise<WebhookPrinter> {
  const verifier = signatureVerifier(options.secret);
  const server: Server = createServer((req, res) => {
    receive(req, res, verifier, options).catch((error: unknown) => {
      options.warn(`could not read a request: ${String(error)}`);
      if (!res.headersSent) res.writeHead(400).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function receive(
  req: IncomingMessage,
  res: ServerResponse,
  verifier: Webhook,
  options: WebhookPrinterOptions,
): Promise<void> {
  if (req.method !== 'POST') {
    res.writeHead(405, { allow: 'POST', 'content-type': 'text/plain' }).end('webhooks are POSTed here\n');
    return;
  }
  const body = await readBody(req);
  if (body === undefined) {
    options.warn(`refused a request to ${req.url}: body over ${MAX_BODY_BYTES} bytes`);
    res.writeHead(413).end();
    return;
  }
  let event: unknown;
  try {
    event = verifier.verify(body, headersOf(req));
  } catch (error) {
    // A wrong secret, a forged request, or one older than the replay window (5 minutes).
    options.warn(`refused a request to ${req.url}: ${(error as Error).message}`);
    res.writeHead(401, { 'content-type': 'text/plain' }).end('signature does not verify\n');
    return;
  }
  options.print(describeEvent(event));
  res.writeHead(204).end();
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers[name] = value;
  }
  return headers;
}

/** The body as text, or undefined when it is too large. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
