import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { pruneOldest } from '../audit/audit-log.repository';
import type { ScimRequestRecord, ScimRequestView, SignInFailureRecord, SignInFailureView } from './request-log.rows';

/** A read of one tenant's log, newest first. */
export interface TenantLogSlice {
  readonly tenantId: string;
  /** Only entries older than this id. */
  readonly before?: string;
  readonly limit: number;
  readonly status?: { readonly min: number; readonly max: number };
}

type Row<View> = Omit<View, 'occurredAt'> & { occurredAt: Date };

const iso = <View extends { occurredAt: string }>(row: Row<View>): View =>
  ({ ...row, occurredAt: row.occurredAt.toISOString() }) as unknown as View;

/**
 * The SQL of the SCIM request log and the sign-in failures: batches inserted in one
 * statement each, in arrival order so that ids rise with it (rows of a tenant deleted
 * meanwhile are left out rather than failing the batch), reads by tenant and id, and
 * pruning by age.
 */
@Injectable()
export class RequestLogRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insertScimRequests(rows: readonly ScimRequestRecord[]): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO scim_request_log (tenant_id, token_id, occurred_at, method, path, status, scim_type, duration_ms,
                                     user_agent, detail)
       SELECT r.tenant_id, r.token_id, r.occurred_at, r.method, r.path, r.status, r.scim_type, r.duration_ms,
              r.user_agent, r.detail
       FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::text[], $5::text[], $6::smallint[],
                   $7::text[], $8::integer[], $9::text[], $10::text[]) WITH ORDINALITY
            AS r(tenant_id, token_id, occurred_at, method, path, status, scim_type, duration_ms, user_agent, detail, n)
       WHERE EXISTS (SELECT 1 FROM tenants t WHERE t.id = r.tenant_id)
       ORDER BY r.n`,
      [
        rows.map((row) => row.tenantId),
        rows.map((row) => row.tokenId),
        rows.map((row) => row.occurredAt.toISOString()),
        rows.map((row) => row.method),
        rows.map((row) => row.path),
        rows.map((row) => row.status),
        rows.map((row) => row.scimType),
        rows.map((row) => row.durationMs),
        rows.map((row) => row.userAgent),
        rows.map((row) => row.detail),
      ],
    );
  }

  async insertSignInFailures(rows: readonly SignInFailureRecord[]): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO sign_in_failures (tenant_id, occurred_at, status, reason, detail, ip, user_agent, client_id)
       SELECT r.tenant_id, r.occurred_at, r.status, r.reason, r.detail, r.ip, r.user_agent, r.client_id
       FROM unnest($1::uuid[], $2::timestamptz[], $3::smallint[], $4::text[], $5::text[], $6::text[], $7::text[],
                   $8::text[])
            WITH ORDINALITY AS r(tenant_id, occurred_at, status, reason, detail, ip, user_agent, client_id, n)
       WHERE EXISTS (SELECT 1 FROM tenants t WHERE t.id = r.tenant_id)
       ORDER BY r.n`,
      [
        rows.map((row) => row.tenantId),
        rows.map((row) => row.occurredAt.toISOString()),
        rows.map((row) => row.status),
        rows.map((row) => row.reason),
        rows.map((row) => row.detail),
        rows.map((row) => row.ip),
        rows.map((row) => row.userAgent),
        rows.map((row) => row.clientId ?? null),
      ],
    );
  }

  /** Reads `limit + 1` rows, so the caller knows whether there is more. */
  async readScimRequests(slice: TenantLogSlice): Promise<ScimRequestView[]> {
    const rows = await this.dataSource.query<Row<ScimRequestView>[]>(
      `SELECT id::text, occurred_at AS "occurredAt", method, path, status, scim_type AS "scimType",
              duration_ms AS "durationMs", user_agent AS "userAgent", detail, token_id AS "tokenId"
       FROM scim_request_log
       WHERE tenant_id = $1 AND ($2::bigint IS NULL OR id < $2::bigint)
         AND ($3::int IS NULL OR status BETWEEN $3::int AND $4::int)
       ORDER BY scim_request_log.id DESC
       LIMIT $5`,
      [slice.tenantId, slice.before ?? null, slice.status?.min ?? null, slice.status?.max ?? null, slice.limit + 1],
    );
    return rows.map(iso<ScimRequestView>);
  }

  /** Reads `limit + 1` rows, so the caller knows whether there is more. */
  async readSignInFailures(slice: TenantLogSlice): Promise<SignInFailureView[]> {
    const rows = await this.dataSource.query<Row<SignInFailureView>[]>(
      `SELECT id::text, occurred_at AS "occurredAt", status, reason, detail, ip, user_agent AS "userAgent",
              client_id AS "clientId"
       FROM sign_in_failures
       WHERE tenant_id = $1 AND ($2::bigint IS NULL OR id < $2::bigint)
       ORDER BY sign_in_failures.id DESC
       LIMIT $3`,
      [slice.tenantId, slice.before ?? null, slice.limit + 1],
    );
    return rows.map(iso<SignInFailureView>);
  }

  pruneScimRequests(olderThanMs: number, limit: number): Promise<number> {
    return pruneOldest(this.dataSource, 'scim_request_log', olderThanMs, limit);
  }

  pruneSignInFailures(olderThanMs: number, limit: number): Promise<number> {
    return pruneOldest(this.dataSource, 'sign_in_failures', olderThanMs, limit);
  }
}
