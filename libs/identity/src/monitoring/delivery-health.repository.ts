import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** How one subscription has been receiving a tenant's events. */
export interface SubscriptionHealth {
  readonly id: string;
  readonly name: string;
  readonly kind: 'webhook' | 'queue';
  readonly enabled: boolean;
  /** Of the deliveries of the last 24 hours: how many arrived, how many gave up. */
  readonly delivered24h: number;
  readonly failed24h: number;
  /** Deliveries waiting now (first try or retry), whatever their age. */
  readonly pending: number;
  /** The last failed attempt: a delivery that gave up, or one waiting for a retry. */
  readonly lastFailureAt: string | null;
}

/**
 * $1 the tenant. Subscriptions that receive its events: its own, and those of every tenant,
 * whose deliveries are this tenant's when their event is (deliveries carry no tenant: the
 * event's row says, through outbox_events' unique id). The 24 h counts read the
 * subscription's log index by time; pending and failed rows through the open-deliveries index.
 * Exported for the query-plan test.
 */
export const DELIVERY_HEALTH_SQL = `
  SELECT s.id, s.name, s.kind, s.enabled,
         coalesce(c.delivered, 0)::int AS "delivered24h", coalesce(c.failed, 0)::int AS "failed24h",
         coalesce(o.pending, 0)::int AS pending,
         to_char(o.last_failure_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "lastFailureAt"
    FROM subscriptions s
    LEFT JOIN LATERAL (
      SELECT count(*) FILTER (WHERE d.status = 'delivered') AS delivered,
             count(*) FILTER (WHERE d.status = 'failed') AS failed
        FROM deliveries d
       WHERE d.subscription_id = s.id AND d.created_at > now() - interval '24 hours'
         AND (s.tenant_id IS NOT NULL
              OR EXISTS (SELECT 1 FROM outbox_events e WHERE e.id = d.event_id AND e.tenant_id = $1))
    ) c ON true
    LEFT JOIN LATERAL (
      SELECT count(*) FILTER (WHERE d.status = 'pending') AS pending,
             max(d.updated_at) FILTER (WHERE d.status = 'failed' OR d.attempts > 0) AS last_failure_at
        FROM deliveries d
       WHERE d.subscription_id = s.id AND d.status IN ('pending', 'failed')
         AND (s.tenant_id IS NOT NULL
              OR EXISTS (SELECT 1 FROM outbox_events e WHERE e.id = d.event_id AND e.tenant_id = $1))
    ) o ON true
   WHERE s.tenant_id = $1 OR s.tenant_id IS NULL
   ORDER BY s.created_at, s.id`;

/** The SQL of a tenant's delivery health; the tenant is the first argument. */
@Injectable()
export class DeliveryHealthRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  forTenant(tenantId: string): Promise<SubscriptionHealth[]> {
    return this.dataSource.query<SubscriptionHealth[]>(DELIVERY_HEALTH_SQL, [tenantId]);
  }
}
