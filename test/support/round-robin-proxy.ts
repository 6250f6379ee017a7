import { IncomingMessage, ServerResponse, createServer, request } from 'node:http';
import { AddressInfo } from 'node:net';

/** One request the proxy passed on, and to which upstream. */
export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  readonly upstream: number;
}

/** A loopback load balancer: each request goes to the next upstream in turn, with no stickiness at all. */
export interface RoundRobinProxy {
  readonly url: string;
  readonly port: number;
  readonly requests: readonly ProxiedRequest[];
  close(): Promise<void>;
}

/** Starts the proxy on `port` (0: any) in front of the upstream ports on 127.0.0.1. */
export async function startRoundRobinProxy(upstreams: readonly number[], port = 0): Promise<RoundRobinProxy> {
  const requests: ProxiedRequest[] = [];
  let next = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const upstream = next++ % upstreams.length;
    requests.push({ method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0], upstream });
    const forwarded = request(
      { host: '127.0.0.1', port: upstreams[upstream], method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
