import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';

/** Loopback webhook receivers that note when each message id first arrived (ms, this process's clock). */
export interface LoopbackReceivers {
  readonly urls: string[];
  /** message id → arrival times, one per receiver that got it. */
  readonly arrivals: Map<string, number[]>;
  count(): number;
  /** Forgets every arrival (between runs). */
  reset(): void;
  close(): Promise<void>;
}

export async function startReceivers(count: number): Promise<LoopbackReceivers> {
  const arrivals = new Map<string, number[]>();
  let total = 0;
  const servers: Server[] = [];
  for (let i = 0; i < count; i++) {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const id = String(req.headers['webhook-id']);
        const list = arrivals.get(id);
        if (list) list.push(performance.timeOrigin + performance.now());
        else arrivals.set(id, [performance.timeOrigin + performance.now()]);
        total++;
        res.statusCode = 204;
        res.end();
      });
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
  }
  return {
    urls: servers.map((server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`),
    arrivals,
    count: () => total,
    reset: () => {
      arrivals.clear();
      total = 0;
    },
    close: async () => {
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        ),
      );
    },
  };
}
