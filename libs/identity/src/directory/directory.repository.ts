import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { DirectoryGroupRow, DirectoryUserRow } from './directory.views';
import { UserFilters } from './directory-query';

const USER_COLUMNS = `
  u.id, t.slug AS tenant, u.external_id, u.user_name, u.resource -> 'emails' AS emails, u.resource -> 'name' AS name,
  u.active, u.roles, u.rule_roles, u.teams, COALESCE(s.last_sequence, 0)::text AS sequence, u.created_at, u.updated_at`;
const USER_JOINS = `
  JOIN tenants t ON t.id = u.tenant_id
  LEFT JOIN outbox_subject_sequences s ON s.subject_type = 'user' AND s.subject_id = u.id::text`;
const GROUP_COLUMNS = `
  g.id, t.slug AS tenant, g.external_id, g.display_name,
  g.member_count::text AS member_count,
  COALESCE(s.last_sequence, 0)::text AS sequence, g.created_at, g.updated_at`;
const GROUP_JOINS = `
  JOIN tenants t ON t.id = g.tenant_id
  LEFT JOIN outbox_subject_sequences s ON s.subject_type = 'group' AND s.subject_id = g.id::text`;

/** Tenant ids a read covers; undefined means every tenant. */
export type TenantIds = readonly string[] | undefined;

/**
 * The SQL of the directory. Every listing is a keyset page on the immutable id
 * (`id > after ORDER BY id LIMIT n`, on the (tenant_id, id) or membership
 * primary-key index): never OFFSET, never a count, and a row present throughout a
 * listing is served exactly once. `sequence` is read from the outbox's per-subject
 * counter in the same snapshot, so it is the sequence of the latest committed event.
 * `memberCount` is the count stored on the group, kept by triggers in the
 * transaction of each membership change (never a count per row).
 * Each method takes the caller's EntityManager, so a first page shares its snapshot
 * with the feed head.
 */
@Injectable()
export class DirectoryRepository {
  users(em: EntityManager, tenantIds: TenantIds, filters: UserFilters, after: string | null, limit: number) {
    return em.query<DirectoryUserRow[]>(
      `SELECT ${USER_COLUMNS} FROM users u ${USER_JOINS}
       WHERE ($1::uuid[] IS NULL OR u.tenant_id = ANY($1::uuid[])) AND ($2::uuid IS NULL OR u.id > $2::uuid)
         AND ($3::boolean IS NULL OR u.active = $3::boolean)
         AND ($4::timestamptz IS NULL OR u.updated_at >= $4::timestamptz)
         AND ($5::text IS NULL OR u.email_values @> ARRAY[$5::text])
       ORDER BY u.id LIMIT $6`,
      [tenantIds ?? null, after, filters.active ?? null, filters.updatedSince ?? null, filters.email ?? null, limit],
    );
  }

  async user(em: EntityManager, tenantIds: TenantIds, id: string): Promise<DirectoryUserRow | undefined> {
    const rows = await em.query<DirectoryUserRow[]>(
      `SELECT ${USER_COLUMNS} FROM users u ${USER_JOINS}
       WHERE u.id = $2 AND ($1::uuid[] IS NULL OR u.tenant_id = ANY($1::uuid[]))`,
      [tenantIds ?? null, id],
    );
    return rows[0];
  }

  groups(em: EntityManager, tenantIds: TenantIds, after: string | null, limit: number) {
    return em.query<DirectoryGroupRow[]>(
      `SELECT ${GROUP_COLUMNS} FROM groups g ${GROUP_JOINS}
       WHERE ($1::uuid[] IS NULL OR g.tenant_id = ANY($1::uuid[])) AND ($2::uuid IS NULL OR g.id > $2::uuid)
       ORDER BY g.id LIMIT $3`,
      [tenantIds ?? null, after, limit],
    );
  }

  /** Whether the group exists in one of these tenants. */
  async groupExists(em: EntityManager, tenantIds: TenantIds, id: string): Promise<boolean> {
    const rows = await em.query<unknown[]>(
      `SELECT 1 FROM groups WHERE id = $2 AND ($1::uuid[] IS NULL OR tenant_id = ANY($1::uuid[]))`,
      [tenantIds ?? null, id],
    );
    return rows.length > 0;
  }

  /** A page of a group's members, on the membership primary key (group_id, user_id). */
  members(em: EntityManager, groupId: string, after: string | null, limit: number) {
    return em.query<DirectoryUserRow[]>(
      `SELECT ${USER_COLUMNS} FROM group_members m JOIN users u ON u.id = m.user_id ${USER_JOINS}
       WHERE m.group_id = $1 AND ($2::uuid IS NULL OR m.user_id > $2::uuid)
       ORDER BY m.user_id LIMIT $3`,
      [groupId, after, limit],
    );
  }

  /** A page of the groups a user is a member of. */
  groupsOf(em: EntityManager, userId: string, after: string | null, limit: number) {
    return em.query<DirectoryGroupRow[]>(
      `SELECT ${GROUP_COLUMNS} FROM group_members m JOIN groups g ON g.id = m.group_id ${GROUP_JOINS}
       WHERE m.user_id = $1 AND ($2::uuid IS NULL OR m.group_id > $2::uuid)
       ORDER BY m.group_id LIMIT $3`,
      [userId, after, limit],
    );
  }
}
