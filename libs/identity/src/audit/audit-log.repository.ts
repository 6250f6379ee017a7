import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuditActorType } from './audit-actor';
import type { AuditEntryInput, AuditRow } from './audit-entry';

/** What a read of the audit log selects, newest first. */
export interface AuditSlice {
  /** A tenant id; undefined for every tenant. */
  readonly tenantId?: string;
  /** A tenant slug, for entries whose tenant is gone; undefined for every tenant. */
  readonly tenantSlug?: string;
  readonly actor?: { readonly type: AuditActorType | undefined; readonly id: string };
  /** Only entries older than this id. */
  readonly before?: string;
  readonly limit: number;
}

const json = (value: unknown): string | null => (value === undefined || value === null ? null : JSON.stringify(value));

/**
 * The SQL of the audit log. It appends and reads; nothing here updates an entry (a trigger
 * refuses it too), and only retention deletes.
 */
@Injectable()
export class AuditLogRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async append(entry: AuditEntryInput): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO audit_log (actor_type, actor_id, actor_label, tenant_id, tenant_slug, action, method, route,
                              target, status, request, before, after, ip, user_agent, request_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
      [
        entry.actor.type,
        entry.actor.id,
        entry.actor.label ?? null,
        entry.tenant?.id ?? null,
        entry.tenant?.slug ?? null,
        entry.action,
        entry.method,
        entry.route,
        JSON.stringify(entry.target),
        entry.status,
        json(entry.request),
        json(entry.before),
        json(entry.after),
        entry.ip,
        entry.userAgent,
        entry.requestId,
      ],
    );
  }

  /** Reads `limit + 1` rows, so the caller knows whether there is more. */
  async read(slice: AuditSlice): Promise<AuditRow[]> {
    return this.dataSource.query<AuditRow[]>(
      `SELECT id::text, occurred_at, actor_type, actor_id, actor_label, tenant_id, tenant_slug, action, method, route,
              target, status, request, before, after, ip, user_agent, request_id
       FROM audit_log
       WHERE ($1::uuid IS NULL OR tenant_id = $1::uuid)
         AND ($2::text IS NULL OR tenant_slug = $2::text)
         AND ($3::text IS NULL OR actor_type = $3::text)
         AND ($4::text IS NULL OR actor_id = $4::text)
         AND ($5::bigint IS NULL OR id < $5::bigint)
       ORDER BY audit_log.id DESC -- the column: the output id is text, and "9" > "10"
       LIMIT $6`,
      [
        slice.tenantId ?? null,
        slice.tenantSlug ?? null,
        slice.actor?.type ?? null,
        slice.actor?.id ?? null,
        slice.before ?? null,
        slice.limit + 1,
      ],
    );
  }

  /** Deletes up to `limit` entries older than `olderThanMs`, oldest first; how many it deleted. */
  async prune(olderThanMs: number, limit: number): Promise<number> {
    return pruneOldest(this.dataSource, 'audit_log', olderThanMs, limit);
  }
}

/** Deletes, oldest first, up to `limit` rows of a log table older than `olderThanMs`. */
export async function pruneOldest(
  dataSource: DataSource,
  table: 'audit_log' | 'scim_request_log' | 'sign_in_failures',
  olderThanMs: number,
  limit: number,
): Promise<number> {
  const [row] = await dataSource.query<[{ deleted: number }]>(
    `WITH doomed AS (
       SELECT id FROM ${table} WHERE occurred_at < now() - make_interval(secs => $1::float8 / 1000)
       ORDER BY occurred_at LIMIT $2
     ), deleted AS (DELETE FROM ${table} t USING doomed WHERE t.id = doomed.id RETURNING 1)
     SELECT count(*)::int AS deleted FROM deleted`,
    [olderThanMs, limit],
  );
  return row.deleted;
}
