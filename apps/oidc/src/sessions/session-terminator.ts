import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { IdentityEventConsumer } from '@app/events';
import type { IdentityEvent } from '@app/identity';
import { bullConnection, releaseBullConnection } from '@app/identity/deliveries/bull-connection';
import { SubscriptionRepository } from '@app/identity/subscriptions/subscription.repository';
import { APP_CONFIG, ResolvedConfig, isRedisConnectionError, queuePrefixOf } from '@app/platform';
import type { ConnectionOptions } from 'bullmq';
import { DataSource } from 'typeorm';
import { SignInMetrics } from '../sign-in/sign-in.metrics';
import { SessionStore } from './session-store';

/**
 * The gateway's own `queue` subscription: the events that end sessions. It has
 * a fixed id so that every replica, at every start, ensures the same one.
 */
export const SESSION_EVENTS_SUBSCRIPTION = {
  id: '5e551075-0000-4000-8000-000000000001',
  name: 'Sign-in: end the sessions of deactivated and deleted users',
  queue: 'gateway-session-terminations',
  events: ['user.deactivated', 'user.deleted'],
} as const;

/**
 * Ends every session of a user that SCIM deactivated or deleted, from the
 * user events, through the events library like any internal consumer.
 */
@Injectable()
export class SessionTerminator implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SessionTerminator.name);
  private consumer: IdentityEventConsumer | undefined;
  private connection: ConnectionOptions | undefined;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
    private readonly subscriptions: SubscriptionRepository,
    private readonly sessions: SessionStore,
    private readonly metrics: SignInMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.subscriptions.ensureQueue(SESSION_EVENTS_SUBSCRIPTION);
    this.connection = bullConnection(this.config);
    this.consumer = new IdentityEventConsumer({
      connection: this.connection,
      prefix: queuePrefixOf(this.config),
      queue: SESSION_EVENTS_SUBSCRIPTION.queue,
      concurrency: 8,
      handle: (event) => this.handle(event),
      // Redis being away is reported once by the app's Redis client; its retries need no line each.
      onError: (error) =>
        isRedisConnectionError(error)
          ? this.logger.debug(`session-ending consumer: ${error.message}`)
          : this.logger.warn({ err: error }, 'session-ending consumer problem'),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.close();
    if (this.connection) await releaseBullConnection(this.connection);
  }

  /**
   * Ends the user's sessions unless the user is active again: events arrive at
   * least once, and a late copy of a deactivation must not end the sessions of
   * a user reactivated since.
   */
  private async handle(event: IdentityEvent): Promise<void> {
    if (event.subject.type !== 'user') return;
    const [user] = await this.dataSource.query<{ active: boolean }[]>(
      `SELECT active FROM users WHERE tenant_id = $1 AND id = $2`,
      [event.tenant.id, event.subject.id],
    );
    if (user?.active) return;
    const reason = event.type === 'user.deleted' ? 'user.deleted' : 'user.deactivated';
    const ended = (await this.sessions.endAllOf(event.subject.id, reason)).length;
    this.metrics.sessionsEndedBy(reason, ended);
    if (ended > 0) this.logger.log({ userId: event.subject.id, ended, event: event.type }, 'sessions ended');
  }
}
