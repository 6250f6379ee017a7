import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

/** A product's back-channel logout endpoint on loopback: when each session's logout token arrived. */
export interface LogoutReceiver {
  readonly url: string;
  /** `performance.now()` at arrival, by the token's `sid`. */
  readonly arrivals: Map<string, number>;
  close(): Promise<void>;
}

export async function startLogoutReceiver(): Promise<LogoutReceiver> {
  const arrivals = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const arrived = performance.now();
      const token = new URLSearchParams(Buffer.concat(chunks).toString()).get('logout_token');
      const payload = token?.split('.')[1];
      const sid = payload
        ? (JSON.parse(Buffer.from(payload, 'base64url').toString()) as { sid?: string }).sid
        : undefined;
      if (sid && !arrivals.has(sid)) arrivals.set(sid, arrived);
      res.writeHead(sid ? 200 : 400).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/backchannel`,
    arrivals,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
