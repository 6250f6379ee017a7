import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { transaction } from '../database/transaction';
import { IdentityError } from '../errors/identity-error';
import { OutboxService } from '../events/outbox.service';
import { TenantsService } from '../tenants/tenants.service';
import { effectiveRoles, groupNamesOf, sameMembers } from './access-lists';
import { AccessRepository, Grant } from './access.repository';
import type { ListTenantUsersQuery } from './access.input';
import { GroupRoleRule, rolesFromGroups } from './roles-from-groups';
import { TenantUserView, toTenantUserView } from './tenant-user.view';
import { UserAccess, rolesChangedData, userAccessOf } from './user-access';
import type { UserAccessRow } from './user-access.row';

export type { UserAccess };

/** A page of a tenant's users; `nextCursor` fetches the next one. */
export interface TenantUserPage {
  readonly users: TenantUserView[];
  readonly nextCursor: string | null;
}

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
