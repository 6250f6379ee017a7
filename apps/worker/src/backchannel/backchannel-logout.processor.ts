import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { SigningKeysService } from '@app/identity';
import { BackchannelLogoutJob, JobName } from '@app/identity/deliveries/delivery-jobs';
import { signLogoutToken } from '@app/identity/product-clients/logout-token';
import { ProductClientsService } from '@app/identity/product-clients/product-clients.service';
import {
  APP_CONFIG,
  DispatcherFetch,
  ResolvedConfig,
  fetchThrough,
  findOutboundAddressError,
  guardedDispatcher,
} from '@app/platform';
import { Job, UnrecoverableError } from 'bullmq';
import type { Agent } from 'undici';
import { JobProcessor } from '../queues/job-processor';
import { BackchannelLogoutMetrics } from './backchannel-logout.metrics';

/** A receiver gets this long to answer; then the attempt counts as failed and is retried. */
const SEND_TIMEOUT_MS = 10_000;

/**
 * Sends one logout token to a product's back-channel logout URI (OpenID Connect
 * Back-Channel Logout 1.0 §2.5): `POST` form `logout_token=…`, signed when sent
 * with the gateway's current key. A 2xx ends it; a 4xx other than 408 and 429,
 * or an address the outbound rule refuses, will not improve and is not retried;
 * anything else is retried on the delivery backoff.
 */
@Injectable()
export class BackchannelLogoutProcessor implements JobProcessor<JobName.BackchannelLogout>, OnModuleDestroy {
  readonly jobName = JobName.BackchannelLogout;
  private readonly logger = new Logger(BackchannelLogoutProcessor.name);
  private readonly dispatcher: Agent;
  private readonly send: DispatcherFetch;
  private readonly issuer: string;

  constructor(
    @Inject(APP_CONFIG) config: ResolvedConfig,
    private readonly clients: ProductClientsService,
    private readonly keys: SigningKeysService,
    private readonly metrics: BackchannelLogoutMetrics,
  ) {
    this.dispatcher = guardedDispatcher({ allowPrivateNetworks: config.allowPrivateNetworks });
    this.send = fetchThrough(this.dispatcher);
    this.issuer = config.publicUrl.replace(/\/+$/, '');
  }

  async process(job: Job<BackchannelLogoutJob>): Promise<void> {
    const { clientId, sub, sid } = job.data;
    const client = await this.clients.find(clientId);
    // A product deleted, or that no longer takes logout tokens, has nothing left to tell.
    if (!client?.backchannelLogoutUri) {
      this.metrics.attempt('skipped');
      return;
    }
    const token = await signLogoutToken(await this.keys.activeKey(), { issuer: this.issuer, clientId, sub, sid });
    let status: number;
    try {
      const response = await this.send(client.backchannelLogoutUri, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'cache-control': 'no-store' },
        body: new URLSearchParams({ logout_token: token }).toString(),
        redirect: 'manual',
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      });
      status = response.status;
      await response.body?.cancel();
    } catch (error) {
      const refused = findOutboundAddressError(error);
      this.metrics.attempt(refused ? 'failed' : 'retried');
      if (!refused) throw error;
      // Failed for good at once: every retry would be refused alike, until the URI or ALLOW_PRIVATE_NETWORKS changes.
      const reason = `refused: ${refused.message}`;
      this.logger.warn({ clientId, sid, reason }, 'backchannel_logout.refused');
      throw new UnrecoverableError(`back-channel logout ${reason}`);
    }
    if (status >= 200 && status < 300) {
      this.metrics.attempt('delivered');
      this.logger.log({ clientId, sid, attempt: job.attemptsMade + 1 }, 'backchannel_logout.delivered');
      return;
    }
    const message = `back-channel logout to client ${clientId} answered ${status}`;
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
      this.metrics.attempt('failed');
      throw new UnrecoverableError(message);
    }
    this.metrics.attempt('retried');
    throw new Error(message);
  }

  async onModuleDestroy(): Promise<void> {
    await this.dispatcher.close().catch(() => undefined);
  }
}
