import { AddressInfo } from 'node:net';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { ResolvedConfig } from '@app/platform';
import { Webhook } from 'standardwebhooks';
import { WebhookSender } from './webhook-sender';

const SECRET = `whsec_${Buffer.alloc(24, 9).toString('base64')}`;

/** A loopback receiver that records requests and counts TCP connections. */
async function receiver(
  answer: (request: IncomingMessage, response: ServerResponse) => void = (_request, response) => response.end(),
): Promise<{
  url: string;
  port: number;
  requests: { headers: IncomingMessage['headers']; body: string; url: string }[];
  connections: () => number;
  close: () => Promise<void>;
}> {
  let connections = 0;
  const requests: { headers: IncomingMessage['headers']; body: string; url: string }[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      requests.push({ headers: request.headers, body, url: request.url ?? '' });
      answer(request, response);
    });
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hooks/identity?tenant=acme`,
    port,
    requests,
    connections: () => connections,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const config = (allowPrivateNetworks: boolean) => ({ allowPrivateNetworks }) as ResolvedConfig;

describe('WebhookSender', () => {
  const senders: WebhookSender[] = [];
  const closers: (() => Promise<void>)[] = [];
  const sender = (allowPrivateNetworks: boolean): WebhookSender => {
    const created = new WebhookSender(config(allowPrivateNetworks));
    senders.push(created);
    return created;
  };
  afterEach(async () => {
    await Promise.all(senders.splice(0).map((created) => created.onApplicationShutdown()));
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  it('POSTs a signed Standard Webhooks request and reports the status', async () => {
    const target = await receiver((_request, response) => response.writeHead(204).end());
    closers.push(target.close);
    const body = JSON.stringify({ type: 'user.created', id: 'evt_1' });
    expect(await sender(true).send({ url: target.url, messageId: 'evt_1', body, secret: SECRET })).toEqual({
      status: 204,
    });
    const [received] = target.requests;
    expect(received).toMatchObject({ url: '/hooks/identity?tenant=acme', body });
    expect(received?.headers).toMatchObject({ 'content-type': 'application/json', 'webhook-id': 'evt_1' });
    expect(() => new Webhook(SECRET).verify(body, received.headers as Record<string, string>)).not.toThrow();
  });

  it('sends the credentials of the URL as Basic authentication', async () => {
    const target = await receiver();
    closers.push(target.close);
    const url = target.url.replace('http://', 'http://hooks:s%40cret@');
    await sender(true).send({ url, messageId: 'evt_2', body: '{}', secret: SECRET });
    expect(target.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from('hooks:s@cret').toString('base64')}`);
  });

  it('does not follow a redirect: the 3xx is the attempt’s answer', async () => {
    const elsewhere = await receiver();
    closers.push(elsewhere.close);
    const target = await receiver((_request, response) => response.writeHead(307, { location: elsewhere.url }).end());
    closers.push(target.close);
    expect(await sender(true).send({ url: target.url, messageId: 'evt_3', body: '{}', secret: SECRET })).toEqual({
      status: 307,
    });
    expect(elsewhere.connections()).toBe(0);
  });

  it('reuses kept-alive connections for one receiver', async () => {
    const target = await receiver();
    closers.push(target.close);
    const webhooks = sender(true);
    for (let i = 0; i < 10; i++) {
      expect(await webhooks.send({ url: target.url, messageId: `evt_${i}`, body: '{}', secret: SECRET })).toEqual({
        status: 200,
      });
    }
    expect(target.requests).toHaveLength(10);
    expect(target.connections()).toBeLessThan(10);
  });

  it.each([
    ['a loopback address', (port: number) => `http://127.0.0.1:${port}/hook`],
    ['an IPv4-mapped loopback address', (port: number) => `http://[::ffff:127.0.0.1]:${port}/hook`],
    ['localhost', (port: number) => `http://localhost:${port}/hook`],
  ])('refuses %s when private networks are not allowed, without connecting', async (_case, url) => {
    const target = await receiver();
    closers.push(target.close);
    const response = await sender(false).send({
      url: url(target.port),
      messageId: 'evt_4',
      body: '{}',
      secret: SECRET,
    });
    expect(response).toEqual({
      error: expect.stringMatching(/^refused: .* is a private address|^refused: .* resolves to a private address/),
      refused: true,
    });
    expect(JSON.stringify(response)).not.toMatch(/ECONNREFUSED/);
    expect(target.connections()).toBe(0);
  });

  it.each([
    ['a private network address', 'http://10.255.255.1/hook', /10\.255\.255\.1 is a private network address/],
    ['the cloud metadata address', 'http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a link-local/],
  ])('refuses %s at once, before any connection is tried', async (_case, url, why) => {
    const started = performance.now();
    // A connection to either would hang until the timeout: an answer well before it was never dialled.
    const response = await sender(false).send({ url, messageId: 'evt_8', body: '{}', secret: SECRET }, 5_000);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(response).toEqual({ error: expect.stringMatching(why), refused: true });
    expect((response as { error: string }).error).toMatch(/^refused: http:\/\/[\d.]+ is a private address: /);
  });

  it('gives up on a receiver that does not answer in time', async () => {
    const target = await receiver(() => undefined);
    closers.push(target.close);
    expect(await sender(true).send({ url: target.url, messageId: 'evt_5', body: '{}', secret: SECRET }, 200)).toEqual({
      error: 'no answer within 0.2 s',
      timedOut: true,
    });
  });

  it('says why a connection failed', async () => {
    const target = await receiver();
    await target.close();
    expect(await sender(true).send({ url: target.url, messageId: 'evt_6', body: '{}', secret: SECRET })).toEqual({
      error: 'connection failed: ECONNREFUSED',
    });
    expect(await sender(true).send({ url: 'not a url', messageId: 'evt_7', body: '{}', secret: SECRET })).toEqual({
      error: 'request failed: invalid URL',
    });
  });
});
