import { Logger } from '@nestjs/common';
import { Client } from 'pg';

const RECONNECT_MS = 1000;

/**
 * Listens on one PostgreSQL channel and calls `onNotify` for each notification,
 * and once more after every (re)connection, since notifications sent meanwhile
 * are lost. It reconnects on its own.
 *
 * The listeners of one process share one dedicated connection per database
 * (ListenConnection): each idle connection costs PostgreSQL a backend of ~14 MiB
 * resident, and `npm start` runs every app, with four listeners, in one process.
 */
export class PgListener {
  private connection: ListenConnection | undefined;

  constructor(
    private readonly databaseUrl: string,
    private readonly channel: string,
    private readonly onNotify: () => void,
  ) {}

  /** Whether notifications reach us right now (a cache that relies on them must not be trusted otherwise). */
  get listening(): boolean {
    return this.connection?.listensOn(this.channel) ?? false;
  }

  start(): void {
    if (this.connection) return;
    this.connection = ListenConnection.of(this.databaseUrl);
    this.connection.subscribe(this.channel, this.onNotify);
  }

  async stop(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    await connection?.unsubscribe(this.channel, this.onNotify);
  }
}

/** The one LISTEN connection of a process to a database, and who listens on which channel. */
class ListenConnection {
  private static readonly open = new Map<string, ListenConnection>();
  private readonly logger = new Logger(PgListener.name);
  private readonly handlers = new Map<string, Set<() => void>>();
  /** Channels LISTENed on the current client. */
  private readonly listened = new Set<string>();
  private client: Client | undefined;
  private connecting: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(private readonly databaseUrl: string) {}

  static of(databaseUrl: string): ListenConnection {
    let connection = ListenConnection.open.get(databaseUrl);
    if (!connection) {
      connection = new ListenConnection(databaseUrl);
      ListenConnection.open.set(databaseUrl, connection);
    }
    return connection;
  }

  listensOn(channel: string): boolean {
    return this.client !== undefined && this.listened.has(channel);
  }

  subscribe(channel: string, handler: () => void): void {
    const handlers = this.handlers.get(channel) ?? new Set();
    handlers.add(handler);
    this.handlers.set(channel, handlers);
    // Already connected: LISTEN on this channel too (a failure ends the connection, which reconnects).
    if (this.client) {
      void this.listen(this.client, channel).then(
        () => this.client && handler(),
        () => undefined,
      );
    } else this.connecting ??= this.connect();
  }

  async unsubscribe(channel: string, handler: () => void): Promise<void> {
    const handlers = this.handlers.get(channel);
    handlers?.delete(handler);
    if (handlers?.size === 0) this.handlers.delete(channel);
    if (this.handlers.size > 0) return;
    // The last listener of the process left: close, and let a later start open afresh.
    this.closed = true;
    ListenConnection.open.delete(this.databaseUrl);
    clearTimeout(this.retry);
    await this.connecting;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async listen(client: Client, channel: string): Promise<void> {
    if (this.listened.has(channel)) return;
    await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
    this.listened.add(channel);
  }

  private async connect(): Promise<void> {
    const channels = [...this.handlers.keys()];
    const client = new Client({
      connectionString: this.databaseUrl,
      // One channel: named after it as before; several: after the first and how many.
      application_name: `gateway-listen-${channels.length === 1 ? channels[0] : `${channels[0]}+${channels.length - 1}`}`,
    });
    client.on('notification', (message) => {
      for (const handler of this.handlers.get(message.channel) ?? []) handler();
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      this.listened.clear();
      for (const channel of this.handlers.keys()) await this.listen(client, channel);
      if (this.closed) {
        await client.end();
        return;
      }
      this.client = client;
      // Channels subscribed while this connection was being made.
      for (const channel of this.handlers.keys()) await this.listen(client, channel);
      // What was notified while we were not listening is lost: every listener reacts now.
      for (const handlers of [...this.handlers.values()]) for (const handler of handlers) handler();
    } catch (error) {
      this.lost(client, error as Error);
    } finally {
      this.connecting = undefined;
    }
  }

  private lost(client: Client, error?: Error): void {
    if (this.closed || (this.client !== undefined && this.client !== client)) return;
    this.client = undefined;
    this.listened.clear();
    if (error) this.logger.warn(`listener on ${[...this.handlers.keys()].join(', ')} disconnected: ${error.message}`);
    client.removeAllListeners();
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      this.connecting ??= this.connect();
    }, RECONNECT_MS);
  }
}
