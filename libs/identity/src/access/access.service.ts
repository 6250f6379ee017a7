import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { transaction } from '../database/transaction';
import { IdentityError } from '../errors/identity-error';
import { parseInput } from '../errors/parse-input';
import { OutboxService } from '../events/outbox.service';
import { TenantsService } from '../tenants/tenants.service';
import { effectiveRoles, groupNamesOf, sameMembers } from './access-lists';
import { AccessRepository, Grant } from './access.repository';
import { listTenantGroupsQuery, type ListTenantUsersQuery } from './access.input';
import { GroupRolesPreview, previewGroupRoles } from './group-roles-preview';
import { GroupRoleRule, rolesFromGroups } from './roles-from-groups';
import { decodeGroupCursor, encodeGroupCursor } from './tenant-groups-cursor';
import { TenantUserView, toTenantUserView } from './tenant-user.view';
import { UserAccess, rolesChangedData, userAccessOf } from './user-access';
import type { UserAccessRow } from './user-access.row';

export type { UserAccess };

/** A page of a tenant's users; `nextCursor` fetches the next one. */
export interface TenantUserPage {
  readonly users: TenantUserView[];
  readonly nextCursor: string | null;
}

/** A tenant's group with its member count, as the admin's listing shows it. */
export interface TenantGroupView {
  readonly id: string;
  readonly displayName: string;
  readonly externalId: string | null;
  readonly memberCount: number;
}

/** A page of a tenant's groups by name; `nextCursor` fetches the next one. */
export interface TenantGroupPage {
  readonly data: TenantGroupView[];
  readonly nextCursor: string | null;
}

/** A preview of new rules: at most PREVIEW_USERS users are listed, `truncated` says whether more change. */
export interface GroupRolesPreviewView extends GroupRolesPreview {
  readonly truncated: boolean;
}

/** Users listed by a preview at most (the summary counts them all). */
export const PREVIEW_USERS = 500;

/** The tenant a sign-in happens in (its slug goes into events). */
export interface AccessTenant {
  readonly id: string;
  readonly slug: string;
}

/**
 * Who may do what: roles and teams an administrator grants, rules that turn
 * IdP groups into roles, and the access a sign-in computes from both. Every
 * change of a user's access records `user.roles_changed` in its transaction.
 */
@Injectable()
export class AccessService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tenants: TenantsService,
    private readonly access: AccessRepository,
    private readonly outbox: OutboxService,
  ) {}

  async listUsers(slug: string, query: ListTenantUsersQuery): Promise<TenantUserPage> {
    const tenant = await this.tenants.get(slug);
    // One more than asked tells whether another page follows.
    const rows = await this.access.page(this.dataSource.manager, tenant.id, {
      q: query.q,
      limit: query.limit + 1,
      after: query.cursor,
    });
    const page = rows.slice(0, query.limit);
    return {
      users: page.map(toTenantUserView),
      nextCursor: rows.length > query.limit ? page[page.length - 1].id : null,
    };
  }

  /** Replaces the roles an administrator grants the user. */
  setRoles(slug: string, userId: string, roles: readonly string[]): Promise<TenantUserView> {
    return this.grant(slug, userId, 'roles', roles);
  }

  /**
   * Replaces the user's teams. A change records `user.roles_changed` too: teams
   * scope what a role allows downstream, so they are access rights as much as roles.
   */
  setTeams(slug: string, userId: string, teams: readonly string[]): Promise<TenantUserView> {
    return this.grant(slug, userId, 'teams', teams);
  }

  async groupRoleRules(slug: string): Promise<GroupRoleRule[]> {
    const tenant = await this.tenants.get(slug);
    return this.access.rules(this.dataSource.manager, tenant.id);
  }

  /** The tenant's groups by name, case-insensitively, with their member counts; keyset-paged. */
  async listGroups(slug: string, rawQuery: unknown): Promise<TenantGroupPage> {
    const query = parseInput(listTenantGroupsQuery, rawQuery);
    const after = query.cursor === undefined ? null : decodeGroupCursor(query.cursor);
    if (after === undefined) throw IdentityError.invalid('cursor: must be the nextCursor of a previous page');
    const tenant = await this.tenants.get(slug);
    // One more than asked tells whether another page follows.
    const rows = await this.access.groupsPage(this.dataSource.manager, tenant.id, after, query.limit + 1);
    const page = rows.slice(0, query.limit);
    return {
      data: page.map(({ id, displayName, externalId, memberCount }) => ({ id, displayName, externalId, memberCount })),
      nextCursor: rows.length > query.limit ? encodeGroupCursor(page[page.length - 1].key) : null,
    };
  }

  /**
   * What saving `rules` would change in users' effective roles, changing nothing: the
   * current rules and the proposed ones applied to each user's groups as known now.
   */
  async previewGroupRoleRules(slug: string, rules: readonly GroupRoleRule[]): Promise<GroupRolesPreviewView> {
    const tenant = await this.tenants.get(slug);
    // One snapshot, so the rules and the users are read as of the same moment.
    const [current, subjects] = await this.dataSource.transaction(
      'REPEATABLE READ',
      async (em) => [await this.access.rules(em, tenant.id), await this.access.ruleSubjects(em, tenant.id)] as const,
    );
    const preview = previewGroupRoles(
      subjects.map((row) => ({
        id: row.id,
        userName: row.user_name,
        granted: row.roles,
        groups: groupNamesOf(row.idp_groups, row.scim_groups),
      })),
      current,
      rules,
    );
    return {
      summary: preview.summary,
      users: preview.users.slice(0, PREVIEW_USERS),
      truncated: preview.users.length > PREVIEW_USERS,
    };
  }

  /**
   * Replaces the tenant's rules. They apply from each user's next sign-in, when
   * the IdP says which groups the user is in now.
   */
  async replaceGroupRoleRules(slug: string, rules: readonly GroupRoleRule[]): Promise<GroupRoleRule[]> {
    const tenant = await this.tenants.get(slug);
    return transaction(this.dataSource, async (em) => {
      await this.access.replaceRules(em, tenant.id, rules);
      return this.access.rules(em, tenant.id);
    });
  }

  /**
   * Called by a sign-in, inside its transaction: stores the ID token's groups,
   * derives roles from them and the user's SCIM groups through the tenant's
   * rules, stamps the sign-in time, and returns the user's access.
   */
  async applySignIn(
    em: EntityManager,
    tenant: AccessTenant,
    userId: string,
    idpGroups: readonly string[],
  ): Promise<UserAccess> {
    const before = this.require(await this.access.find(em, tenant.id, userId, true), userId, tenant.slug);
    const claimed = groupNamesOf(idpGroups);
    const rules = await this.access.rules(em, tenant.id);
    const ruleRoles = rolesFromGroups(rules, groupNamesOf(claimed, before.scim_groups));
    const after = await this.access.recordSignIn(em, tenant.id, userId, claimed, ruleRoles);
    if (!sameMembers(effectiveRoles(before.roles, before.rule_roles), effectiveRoles(after.roles, after.rule_roles))) {
      await this.recordRolesChanged(em, tenant, after);
    }
    return userAccessOf(after);
  }

  /** The user with what grants them access, in one read; undefined for an unknown user. */
  userWithAccess(tenantId: string, userId: string): Promise<UserAccessRow | undefined> {
    return this.access.find(this.dataSource.manager, tenantId, userId);
  }

  /** The user's access as of their last sign-in and the administrator's latest grants. */
  async accessOf(tenantId: string, userId: string): Promise<UserAccess> {
    const row = await this.access.find(this.dataSource.manager, tenantId, userId);
    if (!row) throw IdentityError.notFound(`no user with id "${userId}"`);
    return userAccessOf(row);
  }

  private async grant(slug: string, userId: string, grant: Grant, values: readonly string[]): Promise<TenantUserView> {
    const tenant = await this.tenants.get(slug);
    return transaction(this.dataSource, async (em) => {
      const current = this.require(await this.access.find(em, tenant.id, userId, true), userId, slug);
      // A PUT of what is already there changes nothing, so it records nothing.
      if (sameMembers(current[grant], values)) return toTenantUserView(current);
      const updated = await this.access.setGrant(em, tenant.id, userId, grant, values);
      await this.recordRolesChanged(em, tenant, updated);
      return toTenantUserView(updated);
    });
  }

  private async recordRolesChanged(em: EntityManager, tenant: AccessTenant, row: UserAccessRow): Promise<void> {
    await this.outbox.append(em, {
      type: 'user.roles_changed',
      tenant: { id: tenant.id, slug: tenant.slug },
      subject: { type: 'user', id: row.id },
      data: rolesChangedData(row),
    });
  }

  private require(row: UserAccessRow | undefined, userId: string, slug: string): UserAccessRow {
    if (!row) throw IdentityError.notFound(`no user with id "${userId}" in tenant "${slug}"`);
    return row;
  }
}
