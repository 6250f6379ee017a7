import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** A tenant's health at a glance, as the operators' console lists it. */
export interface TenantHealth {
  readonly slug: string;
  readonly name: string;
  readonly lastScimRequestAt: string | null;
  readonly scimRequests24h: number;
  /** Share of the last 24 hours' SCIM requests answered 4xx or 5xx, 0 to 1 (0 without requests). */
  readonly scimErrorRate24h: number;
  readonly users: number;
  readonly groups: number;
  /** Users who signed in within the last 24 hours. */
  readonly signIns24h: number;
}

/**
 * Every tenant's health in one statement, whatever the number of tenants: one grouped
 * pass over the day's request log (its occurred_at index), one over users and one over
 * groups, and the last request of each tenant by the (tenant_id, id) index.
 * Exported for the query-plan test.
 */
export const TENANTS_OVERVIEW_SQL = `
  WITH requests AS (
         SELECT tenant_id, count(*) AS total, count(*) FILTER (WHERE status >= 400) AS errors
           FROM scim_request_log WHERE occurred_at > now() - interval '24 hours'
          GROUP BY tenant_id),
       people AS (
         SELECT tenant_id, count(*) AS users,
                count(*) FILTER (WHERE last_sign_in_at > now() - interval '24 hours') AS sign_ins
           FROM users GROUP BY tenant_id),
       teams AS (SELECT tenant_id, count(*) AS groups FROM groups GROUP BY tenant_id)
  SELECT t.slug, t.name,
         to_char(last.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "lastScimRequestAt",
         coalesce(r.total, 0)::int AS "scimRequests24h",
         CASE WHEN coalesce(r.total, 0) = 0 THEN 0 ELSE round(r.errors::numeric / r.total, 4)::float8 END
           AS "scimErrorRate24h",
         coalesce(p.users, 0)::int AS users, coalesce(g.groups, 0)::int AS groups,
         coalesce(p.sign_ins, 0)::int AS "signIns24h"
    FROM tenants t
    LEFT JOIN requests r ON r.tenant_id = t.id
    LEFT JOIN people p ON p.tenant_id = t.id
    LEFT JOIN teams g ON g.tenant_id = t.id
    LEFT JOIN LATERAL (
      SELECT l.occurred_at FROM scim_request_log l WHERE l.tenant_id = t.id ORDER BY l.id DESC LIMIT 1
    ) last ON true
   ORDER BY t.slug`;

/** The SQL of the console's overview of every tenant. */
@Injectable()
export class TenantsOverviewRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  all(): Promise<TenantHealth[]> {
    return this.dataSource.query<TenantHealth[]>(TENANTS_OVERVIEW_SQL);
  }
}
