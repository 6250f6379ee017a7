import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { GroupRoleRule } from './roles-from-groups';
import type { UserAccessRow } from './user-access.row';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The columns of a UserAccessRow, over `users` aliased `u`; SCIM group names through group_members' user index. */
const COLUMNS = `u.id, u.user_name, u.external_id, u.active,
  u.resource -> 'emails' AS emails, u.resource -> 'name' AS name, u.resource ->> 'displayName' AS display_name,
  u.roles, u.teams, u.idp_groups, u.rule_roles, u.last_sign_in_at,
  ARRAY(SELECT g.display_name FROM group_members m JOIN groups g ON g.id = m.group_id
         WHERE m.user_id = u.id AND m.tenant_id = u.tenant_id
         ORDER BY lower(g.display_name), g.id) AS scim_groups`;

/** A page of groups by name: $1 the tenant, $2 the folded name to start after (or null), $3 the limit. */
export const GROUPS_PAGE_SQL = `SELECT g.id, g.display_name AS "displayName", g.external_id AS "externalId",
              (SELECT count(*) FROM group_members m WHERE m.group_id = g.id)::int AS "memberCount",
              lower(g.display_name) AS key
         FROM groups g
        WHERE g.tenant_id = $1 AND ($2::text IS NULL OR lower(g.display_name) > $2::text)
        ORDER BY lower(g.display_name)
        LIMIT $3`;

/** What an administrator grants a user directly. */
export type Grant = 'roles' | 'teams';

/** What a page of the admin's user list asks for. */
export interface UserAccessPageQuery {
  /** A prefix of the userName or an email address, case-insensitively. */
  readonly q?: string | undefined;
  readonly limit: number;
  /** The id of the last user of the previous page. */
  readonly after?: string | undefined;
}

/** The SQL of roles, teams and group-role rules. The tenant is the first argument after `em`. */
@Injectable()
export class AccessRepository {
  /** The user, locked for the rest of the transaction when `forUpdate`. */
  async find(em: EntityManager, tenantId: string, id: string, forUpdate = false): Promise<UserAccessRow | undefined> {
    if (!UUID.test(id)) return undefined;
    const rows = await em.query<UserAccessRow[]>(
      `SELECT ${COLUMNS} FROM users u WHERE u.tenant_id = $1 AND u.id = $2${forUpdate ? ' FOR UPDATE OF u' : ''}`,
      [tenantId, id],
    );
    return rows[0];
  }

  /** Users in creation order (the users_tenant_created_idx order), after the cursor's user. */
  page(em: EntityManager, tenantId: string, query: UserAccessPageQuery): Promise<UserAccessRow[]> {
    const prefix = query.q === undefined ? null : `${escapeLike(query.q)}%`;
    // lower() in SQL, the function email_values was derived with.
    return em.query<UserAccessRow[]>(
      `SELECT ${COLUMNS} FROM users u
        WHERE u.tenant_id = $1
          AND ($2::text IS NULL OR lower(u.user_name) LIKE lower($2)
               OR EXISTS (SELECT 1 FROM unnest(u.email_values) AS e(value) WHERE e.value LIKE lower($2)))
          AND ($3::uuid IS NULL
               OR (u.created_at, u.id) > (SELECT c.created_at, c.id FROM users c WHERE c.tenant_id = $1 AND c.id = $3))
        ORDER BY u.created_at, u.id
        LIMIT $4`,
      [tenantId, prefix, query.after ?? null, query.limit],
    );
  }

  /** Replaces the user's granted roles or teams. */
  async setGrant(
    em: EntityManager,
    tenantId: string,
    id: string,
    grant: Grant,
    values: readonly string[],
  ): Promise<UserAccessRow> {
    const column = grant === 'roles' ? 'roles' : 'teams';
    const [rows] = await em.query<[UserAccessRow[], number]>(
      `UPDATE users u SET ${column} = $3::text[] WHERE u.tenant_id = $1 AND u.id = $2 RETURNING ${COLUMNS}`,
      [tenantId, id, values],
    );
    return rows[0];
  }

  /** Stores what a sign-in learnt: the groups claim, the roles the rules derived, and when. */
  async recordSignIn(
    em: EntityManager,
    tenantId: string,
    id: string,
    idpGroups: readonly string[],
    ruleRoles: readonly string[],
  ): Promise<UserAccessRow> {
    const [rows] = await em.query<[UserAccessRow[], number]>(
      `UPDATE users u SET idp_groups = $3::text[], rule_roles = $4::text[], last_sign_in_at = now()
        WHERE u.tenant_id = $1 AND u.id = $2 RETURNING ${COLUMNS}`,
      [tenantId, id, idpGroups, ruleRoles],
    );
    return rows[0];
  }

  /**
   * Groups by name, case-insensitively, after the folded name `after`: keyset on the
   * unique (tenant_id, lower(display_name)) index, member counts on group_members' key.
   */
  groupsPage(em: EntityManager, tenantId: string, after: string | null, limit: number): Promise<TenantGroupRow[]> {
    return em.query<TenantGroupRow[]>(GROUPS_PAGE_SQL, [tenantId, after, limit]);
  }

  /** Every user in at least one group (the only ones rules can reach), with their grants and groups. */
  ruleSubjects(em: EntityManager, tenantId: string): Promise<RuleSubjectRow[]> {
    return em.query<RuleSubjectRow[]>(
      `SELECT u.id, u.user_name, u.roles, u.idp_groups,
              ARRAY(SELECT g.display_name FROM group_members m JOIN groups g ON g.id = m.group_id
                     WHERE m.user_id = u.id AND m.tenant_id = u.tenant_id) AS scim_groups
         FROM users u
        WHERE u.tenant_id = $1
          AND (cardinality(u.idp_groups) > 0 OR EXISTS (SELECT 1 FROM group_members m WHERE m.user_id = u.id))
        ORDER BY u.created_at, u.id`,
      [tenantId],
    );
  }

  /** The tenant's group-role rules, in order. */
  async rules(em: EntityManager, tenantId: string): Promise<GroupRoleRule[]> {
    return em.query<GroupRoleRule[]>(
      `SELECT group_name AS "group", roles FROM group_role_rules WHERE tenant_id = $1 ORDER BY position`,
      [tenantId],
    );
  }

  /** Replaces every rule of the tenant (the caller's transaction makes it atomic). */
  async replaceRules(em: EntityManager, tenantId: string, rules: readonly GroupRoleRule[]): Promise<void> {
    // Two replacements at once would each delete, then collide on the unique key: take turns
    // on the tenant's row. NO KEY UPDATE leaves foreign-key checks (KEY SHARE) unblocked.
    await em.query(`SELECT 1 FROM tenants WHERE id = $1 FOR NO KEY UPDATE`, [tenantId]);
    await em.query(`DELETE FROM group_role_rules WHERE tenant_id = $1`, [tenantId]);
    if (rules.length === 0) return;
    await em.query(
      `INSERT INTO group_role_rules (tenant_id, group_name, roles, position)
       SELECT $1, r.group_name, ARRAY(SELECT jsonb_array_elements_text(r.roles)), r.position
         FROM jsonb_to_recordset($2::jsonb) AS r(group_name text, roles jsonb, position integer)`,
      [
        tenantId,
        JSON.stringify(rules.map((rule, position) => ({ group_name: rule.group, roles: rule.roles, position }))),
      ],
    );
  }
}

/** A group as the admin's listing shows it. */
export interface TenantGroupRow {
  readonly id: string;
  readonly displayName: string;
  readonly externalId: string | null;
  readonly memberCount: number;
  /** lower(displayName): the listing's keyset. */
  readonly key: string;
}

/** A user as a preview of group-role rules reads them. */
export interface RuleSubjectRow {
  readonly id: string;
  readonly user_name: string;
  readonly roles: string[];
  readonly idp_groups: string[];
  readonly scim_groups: string[];
}

/** Escapes LIKE's metacharacters (the default ESCAPE is "\"). */
function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (char) => `\\${char}`);
}
