import { Logger } from '@nestjs/common';
import { Client } from 'pg';

const RECONNECT_MS = 1000;

/**
 * A dedicated PostgreSQL connection that LISTENs on one channel and calls
 * `onNotify` for each notification, and once more after every (re)connection,
 * since notifications sent meanwhile are lost. It reconnects on its own.
 */
export class PgListener {
  private readonly logger = new Logger(PgListener.name);
  private client: Client | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly databaseUrl: string,
    private readonly channel: string,
    private readonly onNotify: () => void,
  ) {}

  /** Whether notifications reach us right now (a cache that relies on them must not be trusted otherwise). */
  get listening(): boolean {
    return this.client !== undefined;
  }

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({
      connectionString: this.databaseUrl,
      application_name: `gateway-listen-${this.channel}`,
    });
    client.on('notification', () => this.onNotify());
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(this.channel)}`);
      if (this.stopped) {
        await client.end();
        return;
      }
      this.client = client;
      // What was notified while we were not listening is lost: react now.
      this.onNotify();
    } catch (error) {
      this.lost(client, error as Error);
    }
  }

  private lost(client: Client, error?: Error): void {
    if (this.stopped || (this.client !== undefined && this.client !== client)) return;
    this.client = undefined;
    if (error) this.logger.warn(`listener on ${this.channel} disconnected: ${error.message}`);
    client.removeAllListeners();
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.connect(), RECONNECT_MS);
  }
}
