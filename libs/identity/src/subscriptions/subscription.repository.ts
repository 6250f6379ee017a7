import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { SubscriptionRow } from './subscription.row';

const COLUMNS = `
  s.id, s.name, s.kind, s.url, s.queue, s.secret_sealed AS "secretSealed", s.events,
  s.tenant_id AS "tenantId", t.slug AS "tenantSlug", s.enabled, s.disabled_reason AS "disabledReason",
  s.created_at AS "createdAt", s.updated_at AS "updatedAt"`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What a change may set; undefined leaves a column alone. */
export interface SubscriptionChanges {
  name?: string;
  url?: string;
  queue?: string;
  events?: string[];
  tenantId?: string | null;
  enabled?: boolean;
}

/** The SQL of subscriptions. They belong to the operator, not to a tenant: `tenantId` is a filter, not a scope. */
@Injectable()
export class SubscriptionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(
    row: Omit<SubscriptionRow, 'tenantSlug' | 'enabled' | 'disabledReason' | 'createdAt' | 'updatedAt'>,
  ): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO subscriptions (id, name, kind, url, queue, secret_sealed, events, tenant_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [row.id, row.name, row.kind, row.url, row.queue, row.secretSealed, row.events, row.tenantId],
    );
  }

  /**
   * Creates a queue subscription of every tenant with a fixed id, or puts it back
   * as given if an operator changed it: the gateway's own consumers rely on it.
   */
  async ensureQueue(subscription: {
    id: string;
    name: string;
    queue: string;
    events: readonly string[];
  }): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO subscriptions (id, name, kind, queue, events, tenant_id, enabled)
       VALUES ($1, $2, 'queue', $3, $4, NULL, true)
       ON CONFLICT (id) DO UPDATE
          SET name = $2, queue = $3, events = $4, tenant_id = NULL, enabled = true, disabled_reason = NULL,
              updated_at = now()
        WHERE subscriptions.enabled IS NOT TRUE OR subscriptions.events <> $4 OR subscriptions.queue <> $3`,
      [subscription.id, subscription.name, subscription.queue, [...subscription.events]],
    );
  }

  async list(): Promise<SubscriptionRow[]> {
    return this.dataSource.query<SubscriptionRow[]>(
      `SELECT ${COLUMNS} FROM subscriptions s LEFT JOIN tenants t ON t.id = s.tenant_id ORDER BY s.created_at, s.id`,
    );
  }

  /** The subscription, or undefined (also for an id that is not a uuid). */
  async find(id: string, em: EntityManager = this.dataSource.manager): Promise<SubscriptionRow | undefined> {
    if (!UUID.test(id)) return undefined;
    const rows = await em.query<SubscriptionRow[]>(
      `SELECT ${COLUMNS} FROM subscriptions s LEFT JOIN tenants t ON t.id = s.tenant_id WHERE s.id = $1`,
      [id],
    );
    return rows[0];
  }

  /** Applies the changes; enabling clears the reason it was disabled. False when there is no such subscription. */
  async update(id: string, changes: SubscriptionChanges): Promise<boolean> {
    if (!UUID.test(id)) return false;
    const result = await this.dataSource.query<[unknown[], number]>(
      `UPDATE subscriptions SET
         name            = COALESCE($2, name),
         url             = COALESCE($3, url),
         queue           = COALESCE($4, queue),
         events          = COALESCE($5, events),
         tenant_id       = CASE WHEN $6 THEN $7::uuid ELSE tenant_id END,
         enabled         = COALESCE($8, enabled),
         disabled_reason = CASE WHEN $8 THEN NULL ELSE disabled_reason END,
         updated_at      = now()
       WHERE id = $1`,
      [
        id,
        changes.name ?? null,
        changes.url ?? null,
        changes.queue ?? null,
        changes.events ?? null,
        changes.tenantId !== undefined,
        changes.tenantId ?? null,
        changes.enabled ?? null,
      ],
    );
    return result[1] > 0;
  }

  /** Turns a subscription off, saying why (e.g. its receiver answered 410 Gone). */
  async disable(id: string, reason: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE subscriptions SET enabled = false, disabled_reason = $2, updated_at = now() WHERE id = $1 AND enabled`,
      [id, reason],
    );
  }

  /** Deletes it with its delivery log. False when there is no such subscription. */
  async delete(id: string): Promise<boolean> {
    if (!UUID.test(id)) return false;
    const result = await this.dataSource.query<[unknown[], number]>(`DELETE FROM subscriptions WHERE id = $1`, [id]);
    return result[1] > 0;
  }
}
