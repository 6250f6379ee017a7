import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, ResolvedConfig } from '@app/platform';
import { DataSource, EntityManager } from 'typeorm';
import { transaction } from '../database/transaction';
import type { IdentityEventType } from '../events/identity-event';
import { OutboxService } from '../events/outbox.service';
import { previousValues } from '../events/previous-values';
import { assertIfMatch, isNotModified } from '../scim/etag';
import { ScimError } from '../scim/errors';
import { matchesValueFilter } from '../scim/filter/filter.evaluator';
import type { ListQuery } from '../scim/list/list-query';
import { PageCursors } from '../scim/storage/page-cursors';
import { pageQueryOf } from '../scim/storage/resource-page';
import type { MultiValuedChange } from '../scim/patch/multi-valued-change';
import { applyPatch } from '../scim/patch/patch.engine';
import { jsonEqual } from '../scim/patch/value-equality';
import { project } from '../scim/resource/projection';
import { normalizeResource, type ScimResource } from '../scim/resource/resource-validator';
import { GROUP_SCHEMA } from '../scim/schemas/group.schema';
import type { ScimPrincipal } from '../tokens/scim-tokens.service';
import { MembershipChange, membershipEvent } from './group-events';
import { memberId, memberIdsOf, toGroupWrite, toScimGroup } from './group-resource';
import type { GroupRow, MemberRow } from './group-row';
import { GROUP_SQL_MAPPING } from './group-sql-mapping';
import { GroupRepository } from './group.repository';

const STABLE_ORDER = 'g.created_at ASC, g.id ASC';
const MEMBERS_DEFINITION = GROUP_SCHEMA.attributes.find((attribute) => attribute.name === 'members');

/** A group with its members when they were asked for. */
export interface GroupView {
  readonly row: GroupRow;
  readonly members?: readonly MemberRow[];
}

/**
 * SCIM provisioning of groups. Memberships change one row each in
 * group_members, so a change costs the same at any group size; every change
 * and its events commit together.
 */
@Injectable()
export class GroupsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
    private readonly groups: GroupRepository,
    private readonly outbox: OutboxService,
    private readonly cursors: PageCursors,
  ) {}

  /** The SCIM resource of a group, before projection. */
  toResource(view: GroupView): ScimResource {
    return toScimGroup(view.row, view.members, `${this.config.scimPublicUrl}/scim/v2`);
  }

  async create(principal: ScimPrincipal, body: unknown, withMembers: boolean): Promise<GroupView> {
    const resource = normalizeResource(body, 'Group');
    const memberIds = memberIdsOf(resource);
    const row = await transaction(this.dataSource, async (em) => {
      await this.assertUsers(em, principal, memberIds);
      const created = await this.groups.insert(em, principal.tenantId, toGroupWrite(resource));
      const added = await this.groups.addMembers(em, principal.tenantId, created.id, memberIds);
      await this.record(
        em,
        principal,
        created,
        ['group.created'],
        added.map((userId) => ({ type: 'group.member_added', userId })),
      );
      return created;
    });
    return this.view(this.dataSource.manager, principal, row, withMembers);
  }

  /** The group; its members are not read when `ifNoneMatch` names its version (the client has it already). */
  async get(principal: ScimPrincipal, id: string, withMembers: boolean, ifNoneMatch?: string): Promise<GroupView> {
    const row = this.require(await this.groups.findById(this.dataSource.manager, principal.tenantId, id), id);
    return this.view(this.dataSource.manager, principal, row, withMembers && !isNotModified(ifNoneMatch, row.version));
  }

  /** PUT: the body replaces the group, its members included (RFC 7644 §3.5.1). */
  async replace(
    principal: ScimPrincipal,
    id: string,
    body: unknown,
    ifMatch: string | undefined,
    withMembers: boolean,
  ): Promise<GroupView> {
    const resource = normalizeResource(body, 'Group');
    const memberIds = memberIdsOf(resource);
    return this.change(principal, id, ifMatch, withMembers, async (em, row) => {
      await this.assertUsers(em, principal, memberIds);
      const { added, removed } = await this.groups.setMembers(em, principal.tenantId, row.id, memberIds);
      return { resource, memberships: [...removals(removed), ...additions(added)] };
    });
  }

  /** PATCH: attribute operations and membership changes apply together, or not at all (RFC 7644 §3.5.2). */
  async patch(
    principal: ScimPrincipal,
    id: string,
    body: unknown,
    ifMatch: string | undefined,
    withMembers: boolean,
  ): Promise<GroupView> {
    return this.change(principal, id, ifMatch, withMembers, async (em, row) => {
      const patched = applyPatch(this.toResource({ row }), body, 'Group', { deferredAttributes: ['members'] });
      const memberships: MembershipChange[] = [];
      for (const change of patched.deferredChanges)
        memberships.push(...(await this.applyMembership(em, principal, row, change)));
      return { resource: patched.resource, memberships };
    });
  }

  async delete(principal: ScimPrincipal, id: string, ifMatch?: string): Promise<void> {
    await transaction(this.dataSource, async (em) => {
      const row = this.require(await this.groups.findById(em, principal.tenantId, id, true), id);
      assertIfMatch(ifMatch, row.version);
      // Memberships go with the group (the users stay); group.deleted stands for them.
      await this.groups.delete(em, principal.tenantId, id);
      await this.record(em, principal, row, ['group.deleted'], []);
    });
  }

  async list(
    principal: ScimPrincipal,
    query: ListQuery,
    withMembers: boolean,
  ): Promise<{ views: GroupView[]; total: number }> {
    const em = this.dataSource.manager;
    const after = this.cursors.find(principal.tenantId, 'Group', query);
    const { rows, total } = await this.groups.page(
      em,
      principal.tenantId,
      pageQueryOf(query, GROUP_SQL_MAPPING, STABLE_ORDER, after),
    );
    this.cursors.remember(principal.tenantId, 'Group', query, rows);
    const members = withMembers
      ? await this.groups.members(
          em,
          principal.tenantId,
          rows.map((row) => row.id),
        )
      : undefined;
    return { views: rows.map((row) => ({ row, members: members?.get(row.id) })), total };
  }

  /**
   * The shared path of PUT and PATCH: lock, check If-Match, compute the next
   * attributes and apply membership changes, then store and record only what changed.
   */
  private async change(
    principal: ScimPrincipal,
    id: string,
    ifMatch: string | undefined,
    withMembers: boolean,
    next: (em: EntityManager, row: GroupRow) => Promise<{ resource: ScimResource; memberships: MembershipChange[] }>,
  ): Promise<GroupView> {
    const row = await transaction(this.dataSource, async (em) => {
      const current = this.require(await this.groups.findById(em, principal.tenantId, id, true), id);
      assertIfMatch(ifMatch, current.version);
      const { resource, memberships } = await next(em, current);
      const write = toGroupWrite(resource);
      const profileChanged = !jsonEqual(current.resource, write.resource);
      if (!profileChanged && memberships.length === 0) return current;
      const updated = await this.groups.update(em, principal.tenantId, id, profileChanged ? write : undefined);
      await this.record(em, principal, updated, profileChanged ? ['group.updated'] : [], memberships, current);
      return updated;
    });
    return this.view(this.dataSource.manager, principal, row, withMembers);
  }

  private async applyMembership(
    em: EntityManager,
    principal: ScimPrincipal,
    row: GroupRow,
    change: MultiValuedChange,
  ): Promise<MembershipChange[]> {
    const ids = (change.values ?? []).map((value) => memberId(value));
    switch (change.op) {
      case 'add':
        await this.assertUsers(em, principal, ids);
        return additions(await this.groups.addMembers(em, principal.tenantId, row.id, ids));
      case 'replace': {
        await this.assertUsers(em, principal, ids);
        const { added, removed } = await this.groups.setMembers(em, principal.tenantId, row.id, ids);
        return [...removals(removed), ...additions(added)];
      }
      case 'remove': {
        const filter = change.filter;
        const selected = filter
          ? ((await this.groups.members(em, principal.tenantId, [row.id])).get(row.id) ?? [])
              .filter((member) => matchesValueFilter(filter, { ...member, type: 'User' }, MEMBERS_DEFINITION))
              .map((member) => member.value)
          : ids;
        return removals(await this.groups.removeMembers(em, principal.tenantId, row.id, selected));
      }
    }
  }

  /** Members must be users of the same tenant (RFC 7643 §4.2); otherwise nothing changes. */
  private async assertUsers(em: EntityManager, principal: ScimPrincipal, userIds: readonly string[]): Promise<void> {
    const unknown = await this.groups.unknownUsers(em, principal.tenantId, userIds);
    if (unknown.length > 0) {
      const shown = unknown.slice(0, 5).join(', ');
      throw ScimError.badRequest(
        'invalidValue',
        `members must be users of this tenant; unknown: ${shown}${unknown.length > 5 ? ', …' : ''}`,
      );
    }
  }

  private async record(
    em: EntityManager,
    principal: ScimPrincipal,
    row: GroupRow,
    types: readonly IdentityEventType[],
    memberships: readonly MembershipChange[],
    before?: GroupRow,
  ): Promise<void> {
    const data = project(this.toResource({ row }), {}, 'Group');
    // Members are never in `data` (nor so in `previous`): their changes are member_added/removed events.
    const previous = before && previousValues(project(this.toResource({ row: before }), {}, 'Group'), data);
    const group = { id: row.id, displayName: row.display_name };
    await this.outbox.appendMany(em, [
      ...types.map((type) => ({
        type,
        tenant: { id: principal.tenantId, slug: principal.tenantSlug },
        subject: { type: 'group' as const, id: row.id },
        data,
        ...(type === 'group.updated' && previous ? { previous } : {}),
      })),
      ...memberships.map((change) => membershipEvent(principal, group, change)),
    ]);
  }

  private async view(
    em: EntityManager,
    principal: ScimPrincipal,
    row: GroupRow,
    withMembers: boolean,
  ): Promise<GroupView> {
    if (!withMembers) return { row };
    return { row, members: (await this.groups.members(em, principal.tenantId, [row.id])).get(row.id) };
  }

  private require(row: GroupRow | undefined, id: string): GroupRow {
    if (!row) throw ScimError.notFound(`no group with id "${id}"`);
    return row;
  }
}

function additions(userIds: readonly string[]): MembershipChange[] {
  return userIds.map((userId) => ({ type: 'group.member_added', userId }));
}

function removals(userIds: readonly string[]): MembershipChange[] {
  return userIds.map((userId) => ({ type: 'group.member_removed', userId }));
}
