import { SubscriptionRow } from './subscription.row';

/** A subscription in the admin API: never its secret. */
export interface SubscriptionView {
  id: string;
  name: string;
  kind: 'webhook' | 'queue';
  /** Webhooks: where events are POSTed. */
  url?: string;
  /** Queue subscriptions: the BullMQ queue events are added to. */
  queue?: string;
  events: string[];
  /** The tenant slug whose events are delivered; null for every tenant. */
  tenant: string | null;
  enabled: boolean;
  /** Why it was turned off by the gateway (e.g. the receiver answered 410 Gone). */
  disabledReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export function toSubscriptionView(row: SubscriptionRow): SubscriptionView {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    ...(row.kind === 'webhook' ? { url: row.url ?? '' } : { queue: row.queue ?? '' }),
    events: row.events,
    tenant: row.tenantSlug,
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
