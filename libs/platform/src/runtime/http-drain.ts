import { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * How long a keep-alive connection that looks idle when closing begins is kept:
 * its client may have sent a request the process has not read yet, which then
 * gets an answer (503 with `Connection: close`) rather than a reset connection.
 */
export const IDLE_GRACE_MS = 1_000;
/** How long the drain waits for connections to end (the launcher kills an app 20 s after SIGTERM). */
export const DRAIN_LIMIT_MS = 15_000;

/** What a drain waits on: the server and how long each step may take. */
export interface DrainOptions {
  readonly idleGraceMs?: number;
  readonly limitMs?: number;
}

/**
 * Lets an HTTP server close without resetting a connection it accepted.
 * `http.Server#close` stops listening and destroys at once every keep-alive
 * connection with no request in progress, including one whose next request is
 * already on its way (the client then sees ECONNRESET). Instead, `drain()`:
 * stops accepting connections; marks the responses in progress `Connection:
 * close`, so each connection ends after its answer; gives connections that look
 * idle IDLE_GRACE_MS for a request already sent (Fastify answers those 503 with
 * `Connection: close` once it is closing); closes the idle ones left once no
 * answer went out for that long; and waits for the rest to end.
 */
export class HttpDrain {
  private readonly sockets = new Set<Socket>();
  private readonly inFlight = new Set<ServerResponse>();
  /** Responses in progress per connection: a connection with none is idle. */
  private readonly busy = new Map<Socket, number>();
  private draining = false;
  private lastAnswer = 0;

  constructor(
    private readonly server: Server,
    private readonly options: DrainOptions = {},
  ) {
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    // Before the app's own listener, which may answer at once (Fastify's 503 while closing).
    server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
      const socket = request.socket;
      this.inFlight.add(response);
      this.busy.set(socket, (this.busy.get(socket) ?? 0) + 1);
      response.once('close', () => {
        this.inFlight.delete(response);
        const left = (this.busy.get(socket) ?? 1) - 1;
        if (left > 0) this.busy.set(socket, left);
        else this.busy.delete(socket);
        this.lastAnswer = Date.now();
      });
      if (this.draining) closeAfter(response);
    });
  }

  /** Connections open now. */
  get openConnections(): number {
    return this.sockets.size;
  }

  async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    // net.Server#close: stop accepting, leaving the open connections be (the http close would drop the idle ones).
    if (this.server.listening) NetServer.prototype.close.call(this.server);
    for (const response of this.inFlight) closeAfter(response);
    const started = Date.now();
    const deadline = started + (this.options.limitMs ?? DRAIN_LIMIT_MS);
    const grace = this.options.idleGraceMs ?? IDLE_GRACE_MS;
    while (this.sockets.size > 0 && Date.now() < deadline) {
      // Idle connections are closed only once no answer went out for a while: one that just
      // answered (before it could be marked) may be about to carry its client's next request.
      if (Date.now() - Math.max(started, this.lastAnswer) >= grace) this.closeIdle();
      await sleep(50);
    }
  }

  /** Closes the connections with no request in progress (http.Server#closeIdleConnections skips those that never sent one). */
  private closeIdle(): void {
    for (const socket of this.sockets) if (!this.busy.has(socket)) socket.destroy();
  }
}

/** Ends the connection after this response (unless its headers are out already). */
function closeAfter(response: ServerResponse): void {
  if (!response.headersSent) response.setHeader('connection', 'close');
}
