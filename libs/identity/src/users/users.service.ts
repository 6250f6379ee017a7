import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, ResolvedConfig } from '@app/platform';
import { DataSource, EntityManager } from 'typeorm';
import { transaction } from '../database/transaction';
import type { IdentityEventType, NewIdentityEvent } from '../events/identity-event';
import { OutboxService } from '../events/outbox.service';
import { previousValues } from '../events/previous-values';
import { membershipEvent } from '../groups/group-events';
import { GroupRepository } from '../groups/group.repository';
import { assertIfMatch } from '../scim/etag';
import { ScimError } from '../scim/errors';
import type { ListQuery } from '../scim/list/list-query';
import { PageCursors } from '../scim/storage/page-cursors';
import { pageQueryOf } from '../scim/storage/resource-page';
import { applyPatch } from '../scim/patch/patch.engine';
import { jsonEqual } from '../scim/patch/value-equality';
import { project } from '../scim/resource/projection';
import { normalizeResource, type ScimResource } from '../scim/resource/resource-validator';
import type { ScimPrincipal } from '../tokens/scim-tokens.service';
import { PasswordHasher } from './password-hasher';
import { passwordOf, toScimUser, toUserWrite, userEntityTag, withActive } from './user-resource';
import type { UserRow, UserView, UserWrite } from './user-row';
import { userChangeEvents } from './user-change-events';
import { USER_SQL_MAPPING } from './user-sql-mapping';
import { UserPage, UserRepository } from './user.repository';

/** The tenant a change happens in: a SCIM principal, or a sign-in. */
export type TenantRef = Pick<ScimPrincipal, 'tenantId' | 'tenantSlug'>;

/** The stable tie-breaker of every listing: creation order, then id. */
const STABLE_ORDER = 'u.created_at ASC, u.id ASC';

/**
 * SCIM provisioning of users: every write validates, commits, and records its
 * lifecycle events in one transaction.
 */
@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
    private readonly users: UserRepository,
    private readonly outbox: OutboxService,
    private readonly passwords: PasswordHasher,
    private readonly groups: GroupRepository,
    private readonly cursors: PageCursors,
  ) {}

  /** The SCIM resource of a row, before projection. */
  toResource(row: UserView): ScimResource {
    return toScimUser(row, `${this.config.scimPublicUrl}/scim/v2`);
  }

  /**
   * One statement, with no transaction around it: the user and its `user.created` event are inserted
   * together (the id and time are made here, so the event's data is known before the insert).
   */
  async create(principal: ScimPrincipal, body: unknown): Promise<UserRow> {
    const resource = normalizeResource(body, 'User');
    const password = passwordOf(resource);
    const passwordHash = password === undefined ? null : await this.passwords.hash(password);
    const write = toUserWrite(withActive(resource, true));
    // Milliseconds, as the table keeps them (meta.created is read back equal).
    const at = new Date();
    const created: UserRow = {
      id: randomUUID(),
      tenant_id: principal.tenantId,
      user_name: write.userName,
      external_id: write.externalId,
      active: write.active,
      resource: write.resource,
      password_hash: passwordHash,
      version: 1,
      created_at: at,
      updated_at: at,
      groups: [],
    };
    return this.users.insertWithEvents(
      this.dataSource.manager,
      { tenantId: principal.tenantId, id: created.id, at },
      write,
      passwordHash,
      (firstParam) =>
        this.outbox.appendStatement(this.eventsOf(principal, created, ['user.created']), firstParam, at.toISOString()),
    );
  }

  async get(principal: ScimPrincipal, id: string): Promise<UserView> {
    return this.require(await this.users.findViewById(this.dataSource.manager, principal.tenantId, id), id);
  }

  /** PUT: the body replaces the user; omitted attributes are cleared (RFC 7644 §3.5.1). */
  async replace(principal: ScimPrincipal, id: string, body: unknown, ifMatch?: string): Promise<UserRow> {
    const resource = normalizeResource(body, 'User');
    return this.change(principal, id, ifMatch, (current) => withActive(resource, current['active'] !== false));
  }

  /** PATCH: all operations apply, or none (RFC 7644 §3.5.2). */
  async patch(principal: ScimPrincipal, id: string, body: unknown, ifMatch?: string): Promise<UserRow> {
    return this.change(principal, id, ifMatch, (current) =>
      withActive(applyPatch(current, body, 'User').resource, false),
    );
  }

  async delete(principal: ScimPrincipal, id: string, ifMatch?: string): Promise<void> {
    await transaction(this.dataSource, async (em) => {
      const row = this.require(await this.users.findForUpdate(em, principal.tenantId, id), id);
      assertIfMatch(ifMatch, userEntityTag(row));
      const memberOf = await this.groups.groupsOfUser(em, principal.tenantId, id);
      await this.users.delete(em, principal.tenantId, id);
      await this.record(em, principal, row, ['user.deleted']);
      // The memberships went with the user: each group changed, and says so.
      for (const group of memberOf) {
        await this.groups.update(em, principal.tenantId, group.id, undefined);
        await this.outbox.append(
          em,
          membershipEvent(
            principal,
            { id: group.id, displayName: group.display_name },
            { type: 'group.member_removed', userId: id },
          ),
        );
      }
    });
  }

  async list(principal: ScimPrincipal, query: ListQuery): Promise<UserPage> {
    const after = this.cursors.find(principal.tenantId, 'User', query);
    const page = await this.users.page(
      this.dataSource.manager,
      principal.tenantId,
      pageQueryOf(query, USER_SQL_MAPPING, STABLE_ORDER, after),
    );
    this.cursors.remember(principal.tenantId, 'User', query, page.rows);
    return page;
  }

  /**
   * Applies a change to a user inside the caller's transaction (the sign-in
   * keeps a just-in-time user's profile current this way); undefined for an unknown id.
   */
  async changeWithin(
    em: EntityManager,
    tenant: TenantRef,
    id: string,
    next: (current: ScimResource) => ScimResource,
  ): Promise<UserRow | undefined> {
    const row = await this.users.findForUpdate(em, tenant.tenantId, id);
    return row && this.applyChange(em, tenant, row, (current) => withActive(next(current), row.active));
  }

  /** A user created just in time at sign-in, inside the sign-in's transaction. */
  async createWithin(em: EntityManager, tenant: TenantRef, body: unknown): Promise<UserRow> {
    const resource = withActive(normalizeResource(body, 'User'), true);
    const row = await this.users.insert(em, tenant.tenantId, toUserWrite(resource), null);
    await this.record(em, tenant, row, ['user.created']);
    return row;
  }

  /** The shared path of PUT and PATCH: lock the row, check If-Match, then apply the change. */
  private async change(
    principal: ScimPrincipal,
    id: string,
    ifMatch: string | undefined,
    next: (current: ScimResource) => ScimResource,
  ): Promise<UserRow> {
    return transaction(this.dataSource, async (em) => {
      const row = this.require(await this.users.findForUpdate(em, principal.tenantId, id), id);
      assertIfMatch(ifMatch, userEntityTag(row));
      return this.applyChange(em, principal, row, next);
    });
  }

  /**
   * Computes the next state from the current SCIM resource of a locked row, and
   * stores it (with its events) only if something changed.
   */
  private async applyChange(
    em: EntityManager,
    tenant: TenantRef,
    row: UserRow,
    next: (current: ScimResource) => ScimResource,
  ): Promise<UserRow> {
    const current = this.toResource(row);
    const resource = next(current);
    const write = toUserWrite(resource);
    const password = passwordOf(resource);
    const passwordChanged =
      password !== undefined && !(row.password_hash && (await this.passwords.matches(row.password_hash, password)));
    const events = userChangeEvents({
      profileChanged: profileChanged(toUserWrite(current), write),
      wasActive: row.active,
      isActive: write.active,
      passwordChanged,
    });
    if (events.length === 0) return row;
    const passwordHash = passwordChanged ? await this.passwords.hash(password) : undefined;
    const updated = await this.users.update(em, tenant.tenantId, row.id, write, passwordHash);
    await this.record(em, tenant, updated, events, row);
    return updated;
  }

  private async record(
    em: EntityManager,
    tenant: TenantRef,
    row: UserRow,
    types: readonly IdentityEventType[],
    before?: UserRow,
  ): Promise<void> {
    await this.outbox.appendMany(em, this.eventsOf(tenant, row, types, before));
  }

  /** The events of a change to `row` (`before` it, for `user.updated`'s previous values). */
  private eventsOf(
    tenant: TenantRef,
    row: UserRow,
    types: readonly IdentityEventType[],
    before?: UserRow,
  ): NewIdentityEvent[] {
    const data = project(this.toResource(row), {}, 'User');
    // `previous` compares the same projection, so it never holds what `data` would not (a password).
    const previous = before && previousValues(project(this.toResource(before), {}, 'User'), data);
    return types.map((type) => ({
      type,
      tenant: { id: tenant.tenantId, slug: tenant.tenantSlug },
      subject: { type: 'user' as const, id: row.id },
      data,
      ...(type === 'user.updated' && previous ? { previous } : {}),
    }));
  }

  private require<Row extends UserView>(row: Row | undefined, id: string): Row {
    if (!row) throw ScimError.notFound(`no user with id "${id}"`);
    return row;
  }
}

/** Whether anything but `active` (and the password, which is not stored in the document) changed. */
function profileChanged(before: UserWrite, after: UserWrite): boolean {
  const withoutActive = ({ active: _active, ...rest }: Record<string, unknown>): Record<string, unknown> => rest;
  return !jsonEqual(withoutActive(before.resource), withoutActive(after.resource));
}
