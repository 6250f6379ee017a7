import { IdentityEvent } from '@app/identity';
import { TestApp } from '../support/test-app';
import { ScimTenant, createScimTenant, fixture, patchOp, serverErrors, startScimApp } from '../support/scim-client';
import { GROUP_SCHEMA, groupsQuery, insertUsers, membershipEvent, membershipRows } from '../support/scim-groups-client';

const MEMBERS = 10_000;
const BATCH = 1_000;

/**
 * A group of 10,000 members: built through the API in batches of 1,000, read whole and without
 * members, then changed one member at a time. Users are inserted with SQL (SCIM would take minutes).
 */
describe('SCIM /Groups with 10,000 members', () => {
  let gateway: TestApp;
  let t: ScimTenant;
  /** MEMBERS + 2 user ids, in creation order: the first MEMBERS become members. */
  let userIds: string[];
  let group: any;

  const memberCount = async (): Promise<number> => {
    const [{ count }] = await gateway.db.query<{ count: string }>(
      'SELECT count(*) AS count FROM group_members WHERE group_id = $1',
      [group.id],
    );
    return Number(count);
  };
  const eventsAfter = async (sequence: number): Promise<IdentityEvent[]> =>
    (
      await gateway.db.query<{ payload: IdentityEvent }>(
        'SELECT payload FROM outbox_events WHERE subject_id = $1 AND sequence > $2 ORDER BY position',
        [group.id, sequence],
      )
    ).map((row) => row.payload);
  const lastSequence = async (): Promise<number> => {
    const [row] = await gateway.db.query<{ last: string }>(
      `SELECT max(sequence) AS last FROM outbox_events WHERE subject_id = $1`,
      [group.id],
    );
    return Number(row?.last ?? 0);
  };

  beforeAll(async () => {
    gateway = await startScimApp();
    t = await createScimTenant(gateway, 'groups-large');
    userIds = await insertUsers(gateway.db, t.id, 'big', MEMBERS + 2);
  });
  afterAll(() => gateway.close());

  it(`builds the group: ${BATCH} members at creation, then PATCHes of ${BATCH}`, async () => {
    const created = await t.send('POST', '/scim/v2/Groups?excludedAttributes=members', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Everyone',
      members: userIds.slice(0, BATCH).map((value) => ({ value })),
    });
    expect(created.status).toBe(201);
    expect(created.body).not.toHaveProperty('members');
    group = created.body;
    for (let start = BATCH; start < MEMBERS; start += BATCH) {
      const value = userIds.slice(start, start + BATCH).map((id) => ({ value: id }));
      const response = await t.send(
        'PATCH',
        `/scim/v2/Groups/${group.id}`,
        patchOp({ op: 'add', path: 'members', value }),
      );
      expect(response.status).toBe(204);
    }
    expect(await memberCount()).toBe(MEMBERS);
    // One event for the group and one per member, numbered without gaps.
    const [{ count, first, last }] = await gateway.db.query<{ count: string; first: string; last: string }>(
      `SELECT count(*) AS count, min(sequence) AS first, max(sequence) AS last
         FROM outbox_events WHERE subject_id = $1 AND type = 'group.member_added'`,
      [group.id],
    );
    expect([Number(count), Number(first), Number(last)]).toEqual([MEMBERS, 2, MEMBERS + 1]);
  });

  it('reads the group with all 10,000 members', async () => {
    const response = await t.send('GET', `/scim/v2/Groups/${group.id}`);
    expect(response.status).toBe(200);
    const members = response.body.members as { value: string; display: string; type: string }[];
    expect(members).toHaveLength(MEMBERS);
    expect(new Set(members.map((member) => member.value))).toEqual(new Set(userIds.slice(0, MEMBERS)));
    expect(members.find((member) => member.value === userIds[41])).toMatchObject({
      display: 'Bulk big42',
      type: 'User',
    });
    expect(response.body.meta.version).toBe(`W/"${MEMBERS / BATCH}"`);
  });

  it('reads the group without members', async () => {
    const response = await t.send('GET', `/scim/v2/Groups/${group.id}?excludedAttributes=members`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      schemas: [GROUP_SCHEMA],
      id: group.id,
      displayName: 'Everyone',
      meta: expect.any(Object),
    });
  });

  it('lists the group with and without its members', async () => {
    const full = await t.send('GET', groupsQuery({ filter: 'displayName eq "Everyone"' }));
    expect(full.body.totalResults).toBe(1);
    expect(full.body.Resources[0].members).toHaveLength(MEMBERS);
    const bare = await t.send(
      'GET',
      groupsQuery({ filter: 'displayName eq "Everyone"', excludedAttributes: 'members' }),
    );
    expect(bare.body.Resources[0]).not.toHaveProperty('members');
    const byMember = await t.send(
      'GET',
      groupsQuery({
        filter: `id eq "${group.id}" and members eq "${userIds[MEMBERS - 1]}"`,
        excludedAttributes: 'members',
      }),
    );
    expect(byMember.body.totalResults).toBe(1);
    const notMember = await t.send('GET', groupsQuery({ filter: `members eq "${userIds[MEMBERS]}"` }));
    expect(notMember.body.totalResults).toBe(0);
  });

  it('adds one member: 10,001 members and exactly one group.member_added', async () => {
    const before = await lastSequence();
    const response = await t.send(
      'PATCH',
      `/scim/v2/Groups/${group.id}`,
      fixture('okta/patch-group-add-member', { userId: userIds[MEMBERS] }),
    );
    expect(response.status).toBe(204);
    expect(await memberCount()).toBe(MEMBERS + 1);
    expect(await eventsAfter(before)).toEqual([
      membershipEvent(t, 'group.member_added', group, userIds[MEMBERS], before + 1),
    ]);
  });

  it('removes one member (Okta’s filter path): 10,000 members and exactly one group.member_removed', async () => {
    const before = await lastSequence();
    const response = await t.send(
      'PATCH',
      `/scim/v2/Groups/${group.id}`,
      fixture('okta/patch-group-remove-member', { userId: userIds[5] }),
    );
    expect(response.status).toBe(204);
    expect(await memberCount()).toBe(MEMBERS);
    expect(await eventsAfter(before)).toEqual([
      membershipEvent(t, 'group.member_removed', group, userIds[5], before + 1),
    ]);
  });

  it('removes one member with Entra’s Remove and a value list: only that one goes', async () => {
    const before = await lastSequence();
    const response = await t.send(
      'PATCH',
      `/scim/v2/Groups/${group.id}`,
      fixture('entra/patch-group-remove-member', { userId: userIds[6] }),
    );
    expect(response.status).toBe(204);
    expect(await memberCount()).toBe(MEMBERS - 1);
    expect(await eventsAfter(before)).toEqual([
      membershipEvent(t, 'group.member_removed', group, userIds[6], before + 1),
    ]);
    const rows = new Set(await membershipRows(gateway.db, group.id));
    expect(rows.has(userIds[6]) || rows.has(userIds[5])).toBe(false);
    expect(rows.has(userIds[7]) && rows.has(userIds[MEMBERS])).toBe(true);
  });

  it('shows the group in a member’s groups', async () => {
    const response = await t.send('GET', `/scim/v2/Users/${userIds[7]}`);
    expect(response.body.groups).toEqual([
      expect.objectContaining({ value: group.id, display: 'Everyone', type: 'direct' }),
    ]);
  });

  it('deletes the group; all 10,002 users stay', async () => {
    expect((await t.send('DELETE', `/scim/v2/Groups/${group.id}`)).status).toBe(204);
    expect(await memberCount()).toBe(0);
    const [{ count }] = await gateway.db.query<{ count: string }>(
      'SELECT count(*) AS count FROM users WHERE tenant_id = $1',
      [t.id],
    );
    expect(Number(count)).toBe(MEMBERS + 2);
  });

  it('never answered 5xx', () => {
    expect(serverErrors).toEqual([]);
  });
});
