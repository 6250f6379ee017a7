import { IncomingMessage, ServerResponse, createServer, request } from 'node:http';
import { AddressInfo } from 'node:net';

/** A loopback load balancer that takes the upstreams in turn and skips one that refuses connections. */
export interface FailoverBalancer {
  readonly url: string;
  /** The upstream index that answered each request, in order. */
  readonly answeredBy: { readonly path: string; readonly upstream: number }[];
  close(): Promise<void>;
}

/**
 * Round robin with no stickiness, as the round-robin proxy, plus what a real
 * balancer's health checks give: a replica that is gone (connection refused)
 * is skipped and the request goes to the next one, as is, for a GET, one whose
 * connection broke. A POST to a replica that dies while answering yields a 502,
 * which the client retries as an IdP would.
 */
export async function startFailoverBalancer(upstreams: readonly number[], port = 0): Promise<FailoverBalancer> {
  const answeredBy: { path: string; upstream: number }[] = [];
  let next = 0;
  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer, tries: number): void => {
    const upstream = next++ % upstreams.length;
    const forwarded = request(
      { host: '127.0.0.1', port: upstreams[upstream], method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        answeredBy.push({ path: (req.url ?? '/').split('?')[0], upstream });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', (error: NodeJS.ErrnoException) => {
      // As nginx's proxy_next_upstream: the next replica when this one is gone, and for an idempotent
      // request, also when its connection broke (a replica killed while the request was on its way).
      const retry = error.code === 'ECONNREFUSED' || req.method === 'GET' || req.method === 'HEAD';
      if (retry && !res.headersSent && tries < upstreams.length) return forward(req, res, body, tries + 1);
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    forwarded.end(body);
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => forward(req, res, Buffer.concat(chunks), 1));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    answeredBy,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
