/**
 * The loopback webhook receivers, in a process of their own (started by `startReceivers`): arrivals are stamped
 * on this process's event loop, so the producer's pauses (its garbage collections, its database client) are not
 * counted as delivery latency. Talks to its parent over the IPC channel: it sends `{ urls }` once listening, and
 * answers `count`, `reset` and `arrivals` (each a `{ request, id }` message) with `{ id, value }`.
 */
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';

type Request = { readonly request: 'count' | 'reset' | 'arrivals'; readonly id: number };

async function main(count: number): Promise<void> {
  /** message id → arrival times (ms since the epoch, `performance.timeOrigin`-based), one per receiver. */
  const arrivals = new Map<string, number[]>();
  let total = 0;
  const servers: Server[] = [];
  for (let i = 0; i < count; i++) {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const id = String(req.headers['webhook-id']);
        const at = performance.timeOrigin + performance.now();
        const list = arrivals.get(id);
        if (list) list.push(at);
        else arrivals.set(id, [at]);
        total++;
        res.statusCode = 204;
        res.end();
      });
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
  }
  process.on('message', (message: Request) => {
    const answer = (value: unknown): void => void process.send?.({ id: message.id, value });
    if (message.request === 'count') answer(total);
    else if (message.request === 'reset') {
      arrivals.clear();
      total = 0;
      answer(null);
    } else answer([...arrivals]);
  });
  // The parent gone (or closing us): stop listening so the process can end.
  process.on('disconnect', () => servers.forEach((server) => (server.closeAllConnections(), server.close())));
  process.send?.({ urls: servers.map((server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`) });
}

void main(Number(process.argv[2] ?? '10'));
