import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** The tenant's last authenticated SCIM request, as the request log recorded it. */
export interface LastScimRequest {
  readonly at: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

/** A recently provisioned user. */
export interface RecentUser {
  readonly id: string;
  readonly userName: string;
  readonly active: boolean;
  readonly createdAt: string;
}

/** A recently provisioned group. */
export interface RecentGroup {
  readonly id: string;
  readonly displayName: string;
  readonly memberCount: number;
}

/** How many, and the newest few. */
export interface Provisioned<Item> {
  readonly count: number;
  readonly recent: Item[];
}

/** What the SCIM client of a tenant has done so far. */
export interface ProvisioningSnapshot {
  readonly lastRequest: LastScimRequest | null;
  /** When one of the tenant's tokens last authenticated a request (kept to the minute, beyond the log's retention). */
  readonly tokenLastUsedAt: Date | null;
  readonly users: Provisioned<RecentUser>;
  readonly groups: Provisioned<RecentGroup>;
}

/** Exported for the query-plan test. $1 the tenant, $2 how many recent users and groups. */
export const PROVISIONING_SNAPSHOT_SQL = `SELECT
         (SELECT jsonb_build_object('at', to_char(l.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                                    'method', l.method, 'path', l.path, 'status', l.status)
            FROM scim_request_log l WHERE l.tenant_id = $1 ORDER BY l.id DESC LIMIT 1) AS last_request,
         (SELECT max(t.last_used_at) FROM scim_tokens t WHERE t.tenant_id = $1) AS token_last_used_at,
         (SELECT count(*) FROM users u WHERE u.tenant_id = $1) AS user_count,
         (SELECT coalesce(jsonb_agg(r ORDER BY r."createdAt" DESC, r.id DESC), '[]')
            FROM (SELECT u.id, u.user_name AS "userName", u.active,
                         to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt"
                    FROM users u WHERE u.tenant_id = $1
                   ORDER BY u.created_at DESC, u.id DESC LIMIT $2) r) AS recent_users,
         (SELECT count(*) FROM groups g WHERE g.tenant_id = $1) AS group_count,
         (SELECT coalesce(jsonb_agg(r ORDER BY r.created_at DESC, r.id DESC), '[]')
            FROM (SELECT g.id, g.display_name AS "displayName", g.created_at,
                         (SELECT count(*) FROM group_members m WHERE m.group_id = g.id)::int AS "memberCount"
                    FROM groups g WHERE g.tenant_id = $1
                   ORDER BY g.created_at DESC, g.id DESC LIMIT $2) r) AS recent_groups`;

/**
 * The SQL behind the portal's provisioning step, which polls it every few seconds:
 * one statement, each part an index scan of the tenant's rows (scim_request_log by
 * (tenant_id, id), scim_tokens by tenant, users and groups by (tenant_id, created_at, id), member counts by
 * group_members' primary key). The tenant is the first argument.
 */
@Injectable()
export class ProvisioningStatusRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async snapshot(tenantId: string, recent: number): Promise<ProvisioningSnapshot> {
    const [row] = await this.dataSource.query<
      {
        last_request: LastScimRequest | null;
        token_last_used_at: Date | null;
        user_count: string;
        recent_users: RecentUser[];
        group_count: string;
        recent_groups: RecentGroup[];
      }[]
    >(PROVISIONING_SNAPSHOT_SQL, [tenantId, recent]);
    return {
      lastRequest: row.last_request,
      tokenLastUsedAt: row.token_last_used_at,
      users: { count: Number(row.user_count), recent: row.recent_users },
      groups: {
        count: Number(row.group_count),
        recent: row.recent_groups.map(({ id, displayName, memberCount }) => ({ id, displayName, memberCount })),
      },
    };
  }
}
