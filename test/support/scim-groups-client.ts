import { IdentityEvent } from '@app/identity';
import { Client } from 'pg';
import { TestApp } from './test-app';
import { TestDatabase } from './test-database';
import {
  SCIM_BASE_URL,
  ScimResponse,
  ScimTenant,
  UUID,
  USER_SCHEMA,
  WEAK_ETAG,
  eventCount,
  events,
} from './scim-client';

/** Group helpers on top of `scim-client.ts` (which the users tests own). */

export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** A user as a group test needs it. */
export interface TestUser {
  readonly id: string;
  readonly userName: string;
  /** What a group shows as the member's `display`: the displayName, else the userName. */
  readonly display: string;
}

/** `/scim/v2/Groups?…` with every parameter percent-encoded. */
export function groupsQuery(parameters: Record<string, string | number>): string {
  const query = Object.entries(parameters)
    .map(([key, value]) => `${key}=${encodeURIComponent(String(value))}`)
    .join('&');
  return `/scim/v2/Groups?${query}`;
}

/** Creates a user through SCIM (with a displayName unless `displayName` is null). */
export async function createUser(
  tenant: ScimTenant,
  userName: string,
  displayName: string | null = `${userName.split('@')[0]} Display`,
): Promise<TestUser> {
  const response = await tenant.send('POST', '/scim/v2/Users', {
    schemas: [USER_SCHEMA],
    userName,
    ...(displayName === null ? {} : { displayName }),
  });
  if (response.status !== 201)
    throw new Error(`creating ${userName}: ${response.status} ${JSON.stringify(response.body)}`);
  return { id: response.body.id as string, userName, display: displayName ?? userName };
}

/** Creates `count` users `<prefix>1@corp.test` … in order. */
export async function createUsers(tenant: ScimTenant, prefix: string, count: number): Promise<TestUser[]> {
  const users: TestUser[] = [];
  for (let n = 1; n <= count; n += 1) users.push(await createUser(tenant, `${prefix}${n}@corp.test`));
  return users;
}

/** POST /Groups that must succeed; returns the created group. */
export async function createGroup(tenant: ScimTenant, body: Record<string, unknown>): Promise<any> {
  const response = await tenant.send('POST', '/scim/v2/Groups', { schemas: [GROUP_SCHEMA], ...body });
  if (response.status !== 201) throw new Error(`creating group: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

/** GET /Groups/{id} that must succeed. */
export async function getGroup(tenant: ScimTenant, id: string, query = ''): Promise<any> {
  const response = await tenant.send('GET', `/scim/v2/Groups/${id}${query}`);
  if (response.status !== 200)
    throw new Error(`reading group ${id}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

/** `members` as the group shows them, for users created by these helpers (server order not assumed). */
export function membersOf(...users: TestUser[]): Record<string, string>[] {
  return sortMembers(
    users.map((user) => ({
      value: user.id,
      display: user.display,
      $ref: `${SCIM_BASE_URL}/Users/${user.id}`,
      type: 'User',
    })),
  );
}

/** A group's `members`, sorted by value (the tests compare sets; an absent list is empty). */
export function sortMembers(members: readonly Record<string, string>[] | undefined): Record<string, string>[] {
  return [...(members ?? [])].sort((a, b) => a.value.localeCompare(b.value));
}

/** The member ids of a group response, sorted. */
export function memberIds(group: { members?: { value: string }[] }): string[] {
  return (group.members ?? []).map((member) => member.value).sort();
}

/** The expected `meta` of a group; `version` may be pinned. */
export function expectedGroupMeta(id: string, version?: string): Record<string, unknown> {
  return {
    resourceType: 'Group',
    created: expect.stringMatching(TIMESTAMP),
    lastModified: expect.stringMatching(TIMESTAMP),
    version: version ?? expect.stringMatching(WEAK_ETAG),
    location: `${SCIM_BASE_URL}/Groups/${id}`,
  };
}

/** The membership rows the database holds for a group (the user ids, sorted). */
export async function membershipRows(db: TestDatabase, groupId: string): Promise<string[]> {
  const rows = await db.query<{ user_id: string }>(
    'SELECT user_id FROM group_members WHERE group_id = $1 ORDER BY user_id',
    [groupId],
  );
  return rows.map((row) => row.user_id);
}

/** How many groups the tenant has in the database. */
export async function groupRowCount(db: TestDatabase, tenantId: string): Promise<number> {
  const [{ count }] = await db.query<{ count: string }>('SELECT count(*) AS count FROM groups WHERE tenant_id = $1', [
    tenantId,
  ]);
  return Number(count);
}

/** How many memberships the tenant has in the database. */
export async function membershipCount(db: TestDatabase, tenantId: string): Promise<number> {
  const [{ count }] = await db.query<{ count: string }>(
    'SELECT count(*) AS count FROM group_members WHERE tenant_id = $1',
    [tenantId],
  );
  return Number(count);
}

/** The events of one group (its subject), oldest first. */
export function groupEvents(db: TestDatabase, groupId: string): Promise<IdentityEvent[]> {
  return events(db, groupId);
}

/** The expected payload of a `group.member_added` / `group.member_removed` event. */
export function membershipEvent(
  tenant: ScimTenant,
  type: 'group.member_added' | 'group.member_removed',
  group: { id: string; displayName: string },
  userId: string,
  sequence: number,
): Record<string, unknown> {
  return {
    id: expect.stringMatching(UUID),
    type,
    occurredAt: expect.stringMatching(TIMESTAMP),
    tenant: { id: tenant.id, slug: tenant.slug },
    subject: { type: 'group', id: group.id },
    sequence,
    data: { group: { id: group.id, displayName: group.displayName }, member: { value: userId, type: 'User' } },
  };
}

/** The expected payload of `group.created` / `group.updated` / `group.deleted`: data is the group without members. */
export function groupEvent(
  tenant: ScimTenant,
  type: 'group.created' | 'group.updated' | 'group.deleted',
  data: Record<string, unknown>,
  sequence: number,
): Record<string, unknown> {
  return {
    id: expect.stringMatching(UUID),
    type,
    occurredAt: expect.stringMatching(TIMESTAMP),
    tenant: { id: tenant.id, slug: tenant.slug },
    subject: { type: 'group', id: data['id'] },
    sequence,
    data,
    // The old values of what changed (events-previous-values.e2e-spec.ts checks them).
    ...(type === 'group.updated' ? { previous: expect.any(Object) } : {}),
  };
}

/** The events written since `count` (the outbox's total before the action). */
export async function eventsSince(db: TestDatabase, count: number): Promise<IdentityEvent[]> {
  return (await events(db)).slice(count);
}

/** What a refused request must leave as it was: the group's members, its version, and the outbox. */
export interface GroupSnapshot {
  readonly members: string[];
  readonly version: number;
  readonly resource: unknown;
  readonly events: number;
}

export async function snapshot(db: TestDatabase, groupId: string): Promise<GroupSnapshot> {
  const [row] = await db.query<{
    version: number;
    resource: unknown;
    display_name: string;
    external_id: string | null;
  }>('SELECT version, resource, display_name, external_id FROM groups WHERE id = $1', [groupId]);
  return {
    members: await membershipRows(db, groupId),
    version: row?.version ?? -1,
    resource: row ? { ...row, version: undefined } : undefined,
    events: await eventCount(db),
  };
}

/** The ids of a list response's resources, in order. */
export function resourceIds(response: ScimResponse): string[] {
  return (response.body.Resources as { id: string }[]).map((resource) => resource.id);
}

/**
 * Runs `work` while another connection holds an ACCESS EXCLUSIVE lock on `table`:
 * any statement of the app that reads the table waits until the lock goes.
 */
export async function whileTableLocked<T>(gateway: TestApp, table: string, work: () => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: gateway.db.url });
  await client.connect();
  try {
    // Whatever goes wrong in `work`, the lock cannot outlive 20 s of an idle transaction.
    await client.query("SET idle_in_transaction_session_timeout = '20s'");
    await client.query('BEGIN');
    await client.query(`LOCK TABLE ${client.escapeIdentifier(table)} IN ACCESS EXCLUSIVE MODE`);
    try {
      return await work();
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Resolves with the promise's value, or with `timedOut` after `ms`. */
export function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timed out'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timed out'>((resolve) => {
    timer = setTimeout(() => resolve('timed out'), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Inserts `count` users straight into the database (far faster than SCIM), named
 * `<prefix><n>@bulk.test` with displayName `Bulk <prefix><n>`; returns their ids in n order.
 */
export async function insertUsers(
  db: TestDatabase,
  tenantId: string,
  prefix: string,
  count: number,
): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `INSERT INTO users (tenant_id, user_name, external_id, email_values, resource, created_at, updated_at)
     SELECT $1, u.user_name, NULL, ARRAY[u.user_name],
            jsonb_build_object('schemas', jsonb_build_array('${USER_SCHEMA}'),
                               'userName', u.user_name, 'displayName', 'Bulk ' || $2::text || n, 'active', true),
            u.created_at, u.created_at
       FROM generate_series(1, $3::int) AS n,
            LATERAL (SELECT $2::text || n || '@bulk.test' AS user_name,
                            date_trunc('milliseconds', now()) + n * interval '1 millisecond' AS created_at) AS u
     ORDER BY n
     RETURNING id, user_name`,
    [tenantId, prefix, count],
  );
  // RETURNING keeps no order guarantee: sort back by n.
  const n = (row: { id: string; user_name?: string }) => Number(/(\d+)@/.exec(String(row.user_name))?.[1]);
  return (rows as { id: string; user_name: string }[]).sort((a, b) => n(a) - n(b)).map((row) => row.id);
}

/**
 * Asserts that `fresh` are exactly one `type` event per user of `userIds` (in any order: the
 * contract does not fix the order within one request), numbered `firstSequence`, +1, +2 … without gaps.
 */
export function expectMembershipEvents(
  fresh: readonly IdentityEvent[],
  tenant: ScimTenant,
  type: 'group.member_added' | 'group.member_removed',
  group: { id: string; displayName: string },
  userIds: readonly string[],
  firstSequence: number,
): void {
  expect(fresh.map((event) => event.sequence)).toEqual(userIds.map((_id, index) => firstSequence + index));
  const bySubject = [...fresh].sort((a, b) =>
    String((a.data as any).member?.value).localeCompare(String((b.data as any).member?.value)),
  );
  expect(bySubject).toEqual(
    [...userIds].sort().map((userId) => membershipEvent(tenant, type, group, userId, expect.any(Number) as never)),
  );
}
