import { randomUUID } from 'node:crypto';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, REDIS, RedisClient, ResolvedConfig, infoOfServerHolding, queuePrefixOf } from '@app/platform';
import { OutboxRelayService } from '../outbox/outbox-relay.service';
import { JobWorkers } from '../queues/job-workers.service';
import { RepairDeliveriesProcessor } from './repair-deliveries.processor';
import { SentinelCheck, dataSentinelKey, mustRepair, redisRunId, restartedSince } from './redis-data-loss';

/** How often the sentinel is looked for: a lost job is found within seconds, not at the next repair round. */
export const SENTINEL_CHECK_EVERY_MS = 2_000;

/**
 * Notices when Redis lost the gateway's data (a restart without persistence, a
 * flush, a failover to an empty replica) and repairs at once: the fan-out jobs
 * of relayed events and the jobs of pending deliveries went with it, and without
 * this they would wait for the repair rounds (a quarter of an hour for a
 * delivery), holding every later change of the same subject behind them.
 *
 * A sentinel key is written under the queue prefix; when it is gone, the replica
 * that writes it again (SET NX: one does) re-adds the maintenance schedules, the
 * fan-out jobs and the deliveries' jobs. Every re-added job has its usual id,
 * so one still queued is left alone. A worker starting on a Redis without the
 * sentinel repairs too: the data may have gone while no worker ran. A restart
 * that reloaded a snapshot keeps the sentinel but loses the jobs added after it:
 * a changed `run_id` (INFO server) repairs as well.
 */
@Injectable()
export class RedisDataLossService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RedisDataLossService.name);
  private readonly key: string;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  private started = false;
  private runId: string | undefined;
  private stopped = false;

  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(APP_CONFIG) config: ResolvedConfig,
    private readonly relay: OutboxRelayService,
    private readonly deliveries: RepairDeliveriesProcessor,
    private readonly workers: JobWorkers,
  ) {
    this.key = dataSentinelKey(queuePrefixOf(config));
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.check(), SENTINEL_CHECK_EVERY_MS);
    this.check();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.checking;
  }

  private check(): void {
    if (this.checking || this.stopped || this.redis.status !== 'ready') return;
    this.checking = this.checkOnce()
      .catch((error: Error) => {
        if (!this.stopped) this.logger.warn(`Redis data-loss check failed, tried again shortly: ${error.message}`);
      })
      .finally(() => (this.checking = undefined));
  }

  private async checkOnce(): Promise<void> {
    // On a cluster: the run_id of the master that holds the queues (and the sentinel), not of any node.
    const runId = redisRunId(await infoOfServerHolding(this.redis, this.key, 'server'));
    const restarted = restartedSince(this.runId, runId);
    const check = await this.lookAtSentinel();
    const atStart = !this.started;
    this.started = true;
    if (!mustRepair(check) && !restarted) {
      this.runId = runId ?? this.runId;
      return;
    }
    if (atStart) {
      this.logger.log(`no ${this.key} in Redis at start: re-adding any fan-out and delivery jobs missing from it`);
    } else if (mustRepair(check)) {
      this.logger.warn(
        `Redis lost its data (${this.key} vanished): re-adding the fan-out jobs of relayed events and the jobs of pending deliveries now`,
      );
    } else {
      this.logger.warn(
        'Redis restarted (its run_id changed): re-adding the fan-out jobs and delivery jobs it may have lost since its last snapshot',
      );
    }
    try {
      await this.workers.scheduleMaintenance();
      const fanOuts = await this.relay.repairAfterDataLoss();
      const deliveries = await this.deliveries.repairAfterDataLoss();
      if (fanOuts + deliveries > 0 || !atStart) {
        this.logger.warn(
          `after Redis's data loss: ${fanOuts} fan-out job(s) and ${deliveries} delivery job(s) re-added`,
        );
      }
    } catch (error) {
      // A repair cut short is tried again at the next look: the sentinel goes, and the old run id stays.
      await this.redis.del(this.key).catch(() => undefined);
      throw error;
    }
    this.runId = runId ?? this.runId;
  }

  private async lookAtSentinel(): Promise<SentinelCheck> {
    if ((await this.redis.exists(this.key)) === 1) return 'present';
    const set = await this.redis.set(this.key, `${new Date().toISOString()} ${randomUUID()}`, 'NX');
    return set === 'OK' ? 'recreated' : 'recreated-elsewhere';
  }
}
