import { createHash } from 'node:crypto';

/**
 * The typed job catalogue of the event fan-out: queue names, job names and
 * payloads. Payloads carry ids only, never an event body or a secret: each
 * processor loads what it needs from PostgreSQL, the record of truth.
 */

/** The gateway's own BullMQ queues (under REDIS_PREFIX). */
export enum QueueName {
  /** Fan-out jobs: one per batch of committed outbox events the relay publishes (in commit order), or per event repaired. */
  FanOut = 'gateway-fan-out',
  /** One job per (subscription, event) delivery. */
  Deliveries = 'gateway-deliveries',
  /** Scheduled housekeeping. */
  Maintenance = 'gateway-maintenance',
  /** One job per (product, ended session): an OpenID Connect back-channel logout. */
  Logouts = 'gateway-backchannel-logouts',
}

export enum JobName {
  FanOut = 'fan-out',
  WebhookDelivery = 'webhook-delivery',
  QueueDelivery = 'queue-delivery',
  PruneDeliveries = 'prune-deliveries',
  RepairDeliveries = 'repair-deliveries',
  PruneEventsFeed = 'prune-events-feed',
  PruneRecords = 'prune-records',
  BackchannelLogout = 'backchannel-logout',
}

/**
 * Turns outbox events into their deliveries: one event (job id: the event id; the
 * repair rounds' jobs), or a batch the relay published in one round, in `position`
 * order (job id: `fanOutBatchJobId(eventIds)`).
 */
export type FanOutJob = { readonly eventId: string } | { readonly eventIds: readonly string[] };

/** The same batch is one job, however often a relay round that failed to commit adds it again. */
export function fanOutBatchJobId(eventIds: readonly string[]): string {
  return `fob-${createHash('sha256').update(eventIds.join(',')).digest('hex').slice(0, 40)}`;
}

/** One attempt series of one delivery. Job id: `deliveryJobId(deliveryId, round)`. */
export interface DeliveryJob {
  readonly deliveryId: string;
  /** 0 for the fan-out's series; each retry by hand starts the next round. */
  readonly round: number;
  /** Attempts of this round made before the job (the fan-out makes the first): the backoff goes on from there. */
  readonly attemptsBefore?: number;
  /** The subscription, so the worker can hold back a subscriber's jobs beyond its share without a query (absent in older jobs). */
  readonly subscriptionId?: string;
}

/** A delivery that needs a job, as the fan-out or a retry by hand knows it. */
export interface QueuedDelivery {
  readonly id: string;
  readonly round: number;
  readonly subscriptionId: string;
  readonly kind: 'webhook' | 'queue';
  /** Attempts of this round made already (a replayed fan-out's pending rows): the job makes only the rest. */
  readonly attempts?: number;
  /** When the job is due, if not after the backoff of `attempts` from now (a repaired delivery's retry may be overdue). */
  readonly delayMs?: number;
}

/** Deletes delivered rows older than the retention. */
export type PruneDeliveriesJob = Record<string, never>;

/** Queues again the pending deliveries whose job was lost (Redis lost its data, or the job failed). */
export type RepairDeliveriesJob = Record<string, never>;

/** Deletes events older than the feed's retention (EVENTS_RETENTION_DAYS). */
export type PruneEventsFeedJob = Record<string, never>;

/** Deletes audit entries, SCIM requests and refused sign-ins older than their retention. */
export type PruneRecordsJob = Record<string, never>;

/**
 * Tells one product that one of its sessions ended (Back-Channel Logout 1.0).
 * Job id: `backchannelLogoutJobId(clientId, sid, sessionId)`. The worker signs the logout
 * token when it sends it, and finds the URI in the client's row.
 */
export interface BackchannelLogoutJob {
  readonly clientId: string;
  /** The user id, the `sub` of the product's ID token. */
  readonly sub: string;
  /** The session id the product saw in its ID token. */
  readonly sid: string;
  /**
   * The gateway session that ended. Part of the job's id: the same product session (`sid`)
   * resumed on a later gateway session and ended again is a new logout, not the one sent.
   */
  readonly sessionId?: string;
}

/** The payload of each job name. */
export interface JobPayloads {
  [JobName.FanOut]: FanOutJob;
  [JobName.WebhookDelivery]: DeliveryJob;
  [JobName.QueueDelivery]: DeliveryJob;
  [JobName.PruneDeliveries]: PruneDeliveriesJob;
  [JobName.RepairDeliveries]: RepairDeliveriesJob;
  [JobName.PruneEventsFeed]: PruneEventsFeedJob;
  [JobName.PruneRecords]: PruneRecordsJob;
  [JobName.BackchannelLogout]: BackchannelLogoutJob;
}

/** The queue each job runs on. */
export const QUEUE_OF_JOB: { readonly [Name in JobName]: QueueName } = {
  [JobName.FanOut]: QueueName.FanOut,
  [JobName.WebhookDelivery]: QueueName.Deliveries,
  [JobName.QueueDelivery]: QueueName.Deliveries,
  [JobName.PruneDeliveries]: QueueName.Maintenance,
  [JobName.RepairDeliveries]: QueueName.Maintenance,
  [JobName.PruneEventsFeed]: QueueName.Maintenance,
  [JobName.PruneRecords]: QueueName.Maintenance,
  [JobName.BackchannelLogout]: QueueName.Logouts,
};

const RESERVED_QUEUE_PREFIX = 'gateway-';

/** Queue subscriptions may not name the gateway's own queues. */
export function isReservedQueueName(name: string): boolean {
  return name.toLowerCase().startsWith(RESERVED_QUEUE_PREFIX);
}

/**
 * The deterministic BullMQ id of a delivery job: adding it twice (a replayed
 * fan-out) is a no-op. BullMQ custom ids may not contain `:`; uuids and `-r` don't.
 */
export function deliveryJobId(deliveryId: string, round: number): string {
  return round === 0 ? deliveryId : `${deliveryId}-r${round}`;
}

/** The end of one gateway session, for one product session, is one job however many replicas announce it. */
export function backchannelLogoutJobId(clientId: string, sid: string, sessionId = ''): string {
  return `bcl-${createHash('sha256').update(`${clientId}\n${sid}\n${sessionId}`).digest('hex').slice(0, 40)}`;
}
