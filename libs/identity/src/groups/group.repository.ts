import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { PageQuery, Page, resourcePage, uniquely } from '../scim/storage/resource-page';
import type { GroupRow, GroupWrite, MemberRow } from './group-row';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COLUMNS = 'id, tenant_id, display_name, external_id, resource, version, created_at, updated_at';
const COLUMNS_OF_G = COLUMNS.split(', ')
  .map((column) => `g.${column}`)
  .join(', ');

/** A page of groups and the total matching the filter. */
export type GroupPage = Page<GroupRow>;

/** The SQL of `groups` and `group_members`. The tenant is the first argument of every method. */
@Injectable()
export class GroupRepository {
  async insert(em: EntityManager, tenantId: string, write: GroupWrite): Promise<GroupRow> {
    const rows = await uniquely(`displayName "${write.displayName}" is already taken`, () =>
      em.query<GroupRow[]>(
        `INSERT INTO groups (tenant_id, display_name, external_id, resource) VALUES ($1, $2, $3, $4::jsonb) RETURNING ${COLUMNS}`,
        [tenantId, write.displayName, write.externalId, JSON.stringify(write.resource)],
      ),
    );
    return rows[0];
  }

  async findById(em: EntityManager, tenantId: string, id: string, forUpdate = false): Promise<GroupRow | undefined> {
    if (!UUID.test(id)) return undefined;
    const rows = await em.query<GroupRow[]>(
      `SELECT ${COLUMNS} FROM groups WHERE tenant_id = $1 AND id = $2${forUpdate ? ' FOR UPDATE' : ''}`,
      [tenantId, id],
    );
    return rows[0];
  }

  /** The tenant's groups among `ids` (in no particular order; unknown ids are left out). */
  async findByIds(em: EntityManager, tenantId: string, ids: readonly string[]): Promise<GroupRow[]> {
    if (ids.length === 0) return [];
    return em.query<GroupRow[]>(`SELECT ${COLUMNS} FROM groups WHERE tenant_id = $1 AND id = ANY($2::uuid[])`, [
      tenantId,
      ids,
    ]);
  }

  /** Stores a new state (or only bumps the version when `write` is undefined: a membership change). */
  async update(em: EntityManager, tenantId: string, id: string, write: GroupWrite | undefined): Promise<GroupRow> {
    const rows = await uniquely(`displayName "${write?.displayName ?? ''}" is already taken`, () =>
      em.query<[GroupRow[], number]>(
        `UPDATE groups
            SET display_name = COALESCE($3, display_name), external_id = CASE WHEN $6::boolean THEN $4 ELSE external_id END,
                resource = COALESCE($5::jsonb, resource), version = version + 1, updated_at = date_trunc('milliseconds', now())
          WHERE tenant_id = $1 AND id = $2
          RETURNING ${COLUMNS}`,
        [
          tenantId,
          id,
          write?.displayName ?? null,
          write?.externalId ?? null,
          write ? JSON.stringify(write.resource) : null,
          write !== undefined,
        ],
      ),
    );
    return rows[0][0];
  }

  async delete(em: EntityManager, tenantId: string, id: string): Promise<void> {
    await em.query(`DELETE FROM groups WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
  }

  /** One page of the tenant's groups (see resourcePage). */
  page(em: EntityManager, tenantId: string, query: PageQuery): Promise<GroupPage> {
    return resourcePage<GroupRow>(em, tenantId, { table: 'groups', alias: 'g', select: COLUMNS_OF_G }, query);
  }

  /** Members of each group, as shown in `members` (display: the user's displayName, else userName). */
  async members(em: EntityManager, tenantId: string, groupIds: readonly string[]): Promise<Map<string, MemberRow[]>> {
    const byGroup = new Map<string, MemberRow[]>(groupIds.map((id) => [id, []]));
    if (groupIds.length === 0) return byGroup;
    const rows = await em.query<(MemberRow & { group_id: string })[]>(
      `SELECT m.group_id, u.id AS value, COALESCE(u.resource ->> 'displayName', u.user_name) AS display
         FROM group_members m JOIN users u ON u.id = m.user_id
        WHERE m.tenant_id = $1 AND m.group_id = ANY($2::uuid[])
        ORDER BY m.added_at, u.id`,
      [tenantId, groupIds],
    );
    for (const row of rows) byGroup.get(row.group_id)?.push({ value: row.value, display: row.display });
    return byGroup;
  }

  /** Of `userIds`, those that are not users of the tenant (malformed ids included). */
  async unknownUsers(em: EntityManager, tenantId: string, userIds: readonly string[]): Promise<string[]> {
    const wellFormed = userIds.filter((id) => UUID.test(id));
    const rows = wellFormed.length
      ? await em.query<{ id: string }[]>(`SELECT id FROM users WHERE tenant_id = $1 AND id = ANY($2::uuid[])`, [
          tenantId,
          wellFormed,
        ])
      : [];
    const known = new Set(rows.map((row) => row.id.toLowerCase()));
    return userIds.filter((id) => !known.has(id.toLowerCase()));
  }

  /** Adds memberships; returns the users actually added (an existing membership is kept once). */
  async addMembers(
    em: EntityManager,
    tenantId: string,
    groupId: string,
    userIds: readonly string[],
  ): Promise<string[]> {
    if (userIds.length === 0) return [];
    const rows = await em.query<{ user_id: string }[]>(
      `INSERT INTO group_members (tenant_id, group_id, user_id)
       SELECT $1, $2, unnest($3::uuid[])
       ON CONFLICT DO NOTHING
       RETURNING user_id`,
      [tenantId, groupId, userIds],
    );
    return rows.map((row) => row.user_id);
  }

  /** Removes memberships; returns the users actually removed. */
  async removeMembers(
    em: EntityManager,
    tenantId: string,
    groupId: string,
    userIds: readonly string[],
  ): Promise<string[]> {
    const wellFormed = userIds.filter((id) => UUID.test(id));
    if (wellFormed.length === 0) return [];
    // TypeORM answers a DELETE … RETURNING with [rows, count].
    const [rows] = await em.query<[{ user_id: string }[], number]>(
      `DELETE FROM group_members WHERE tenant_id = $1 AND group_id = $2 AND user_id = ANY($3::uuid[]) RETURNING user_id`,
      [tenantId, groupId, wellFormed],
    );
    return rows.map((row) => row.user_id);
  }

  /** Makes the membership exactly `userIds`; returns who was added and who removed. */
  async setMembers(
    em: EntityManager,
    tenantId: string,
    groupId: string,
    userIds: readonly string[],
  ): Promise<{ added: string[]; removed: string[] }> {
    const [removed] = await em.query<[{ user_id: string }[], number]>(
      `DELETE FROM group_members WHERE tenant_id = $1 AND group_id = $2 AND NOT (user_id = ANY($3::uuid[])) RETURNING user_id`,
      [tenantId, groupId, userIds],
    );
    return { added: await this.addMembers(em, tenantId, groupId, userIds), removed: removed.map((row) => row.user_id) };
  }

  /** The groups a user belongs to, locked for the caller's transaction. */
  async groupsOfUser(
    em: EntityManager,
    tenantId: string,
    userId: string,
  ): Promise<{ id: string; display_name: string }[]> {
    return em.query(
      `SELECT g.id, g.display_name FROM group_members m JOIN groups g ON g.id = m.group_id
        WHERE m.tenant_id = $1 AND m.user_id = $2 ORDER BY g.id FOR UPDATE OF g`,
      [tenantId, userId],
    );
  }
}
