import { TestApp } from '../support/test-app';
import {
  SCIM_BASE_URL,
  SCIM_CONTENT_TYPE,
  SEARCH_REQUEST_SCHEMA,
  ScimTenant,
  UUID,
  createScimTenant,
  eventCount,
  events,
  expectScimError,
  patchOp,
  serverErrors,
  startScimApp,
} from '../support/scim-client';
import {
  GROUP_SCHEMA,
  TestUser,
  createGroup,
  createUser,
  createUsers,
  eventsSince,
  expectMembershipEvents,
  expectedGroupMeta,
  getGroup,
  groupEvent,
  groupEvents,
  groupRowCount,
  groupsQuery,
  memberIds,
  membersOf,
  membershipCount,
  membershipEvent,
  membershipRows,
  resourceIds,
  snapshot,
  sortMembers,
  whileTableLocked,
  within,
} from '../support/scim-groups-client';

const UNKNOWN_ID = '5b0a9a3e-0b7e-4c55-9b55-0c8a7c2f2a10';
const ids = (...users: TestUser[]) => users.map((user) => user.id).sort();

/**
 * The /Groups endpoints beyond what Okta and Entra send: RFC 7643 §4.2 and RFC 7644, bad PATCHes,
 * the membership rules, tenant isolation and the group events. One app; each block has its own tenant.
 */
describe('SCIM /Groups: behaviour', () => {
  let gateway: TestApp;

  beforeAll(async () => {
    gateway = await startScimApp();
  });
  afterAll(() => gateway.close());

  describe('create', () => {
    let t: ScimTenant;
    let users: TestUser[];
    let plain: TestUser;

    beforeAll(async () => {
      t = await createScimTenant(gateway, 'groups-create');
      users = await createUsers(t, 'create', 3);
      plain = await createUser(t, 'plain@corp.test', null);
    });

    it('answers 201 with id, displayName, externalId, members, meta, ETag and Location', async () => {
      const response = await t.send('POST', '/scim/v2/Groups', {
        schemas: [GROUP_SCHEMA],
        displayName: 'Engineering',
        externalId: 'eng-ext',
        members: [
          { value: users[0].id, display: 'ignored' },
          { value: plain.id, type: 'User' },
        ],
      });
      expect(response.status).toBe(201);
      expect(response.headers['content-type']).toBe(SCIM_CONTENT_TYPE);
      const id = response.body.id as string;
      expect(id).toMatch(UUID);
      expect({ ...response.body, members: sortMembers(response.body.members) }).toEqual({
        schemas: [GROUP_SCHEMA],
        id,
        displayName: 'Engineering',
        externalId: 'eng-ext',
        members: membersOf(users[0], plain),
        meta: expectedGroupMeta(id, 'W/"1"'),
      });
      expect(plain.display).toBe('plain@corp.test');
      expect(response.headers.etag).toBe('W/"1"');
      expect(response.headers.location).toBe(`${SCIM_BASE_URL}/Groups/${id}`);
      expect(response.body.meta.created).toBe(response.body.meta.lastModified);
      expect(await getGroup(t, id)).toEqual(response.body);
      const [created, ...memberships] = await groupEvents(gateway.db, id);
      const { members: _members, ...withoutMembers } = response.body;
      expect(created).toEqual(groupEvent(t, 'group.created', withoutMembers, 1));
      expectMembershipEvents(memberships, t, 'group.member_added', response.body, [users[0].id, plain.id], 2);
    });

    it('ignores id and meta in the body (read-only)', async () => {
      const body = await createGroup(t, {
        id: UNKNOWN_ID,
        displayName: 'Ignores Read Only',
        meta: { resourceType: 'Group', version: 'W/"99"' },
      });
      expect(body.id).not.toBe(UNKNOWN_ID);
      expect(body.meta.version).toBe('W/"1"');
    });

    it('keeps one membership (and one event) for a member listed twice', async () => {
      const body = await createGroup(t, {
        displayName: 'Twice',
        members: [{ value: users[1].id }, { value: users[1].id }],
      });
      expect(body.members).toEqual(membersOf(users[1]));
      expect(await membershipRows(gateway.db, body.id)).toEqual([users[1].id]);
      expect((await groupEvents(gateway.db, body.id)).map((event) => [event.type, event.sequence])).toEqual([
        ['group.created', 1],
        ['group.member_added', 2],
      ]);
    });

    it('refuses a displayName taken in another case with 409 uniqueness, writing nothing', async () => {
      const before = { groups: await groupRowCount(gateway.db, t.id), events: await eventCount(gateway.db) };
      const response = await t.send('POST', '/scim/v2/Groups', {
        schemas: [GROUP_SCHEMA],
        displayName: 'ENGINEERING',
        members: [{ value: users[2].id }],
      });
      expectScimError(response, 409, 'uniqueness');
      expect({ groups: await groupRowCount(gateway.db, t.id), events: await eventCount(gateway.db) }).toEqual(before);
      expect(await membershipRows(gateway.db, users[2].id)).toEqual([]);
    });

    it('lets exactly one of concurrent creates of one displayName win; the others get 409', async () => {
      const responses = await Promise.all(
        [1, 2, 3, 4, 5].map((n) =>
          t.send('POST', '/scim/v2/Groups', { schemas: [GROUP_SCHEMA], displayName: n % 2 ? 'Race' : 'RACE' }),
        ),
      );
      expect(responses.map((response) => response.status).sort()).toEqual([201, 409, 409, 409, 409]);
      for (const response of responses.filter((r) => r.status === 409)) expectScimError(response, 409, 'uniqueness');
    });

    it.each([
      ['no displayName', { members: [] }],
      ['a displayName that is not a string', { displayName: 42 }],
    ])('refuses a group with %s with 400', async (_case, body) => {
      const before = await groupRowCount(gateway.db, t.id);
      expectScimError(await t.send('POST', '/scim/v2/Groups', { schemas: [GROUP_SCHEMA], ...body }), 400);
      expect(await groupRowCount(gateway.db, t.id)).toBe(before);
    });

    describe('refuses members that are not users of the tenant with 400 invalidValue, creating nothing', () => {
      let other: ScimTenant;
      let otherUser: TestUser;
      let aGroup: any;

      beforeAll(async () => {
        other = await createScimTenant(gateway, 'groups-create-other');
        otherUser = await createUser(other, 'other@corp.test');
        aGroup = await createGroup(t, { displayName: 'Existing Group' });
      });

      const cases: [string, () => Record<string, unknown>[]][] = [
        ['an unknown id', () => [{ value: UNKNOWN_ID }]],
        ['a malformed id', () => [{ value: 'not-a-uuid' }]],
        ['an empty id', () => [{ value: '' }]],
        ['a user of another tenant', () => [{ value: otherUser.id }]],
        ['a known user next to an unknown one', () => [{ value: users[0].id }, { value: UNKNOWN_ID }]],
        ['a group id as a member', () => [{ value: aGroup.id }]],
      ];
      it.each(cases)('%s', async (_case, members) => {
        const before = {
          groups: await groupRowCount(gateway.db, t.id),
          memberships: await membershipCount(gateway.db, t.id),
          events: await eventCount(gateway.db),
        };
        const response = await t.send('POST', '/scim/v2/Groups', {
          schemas: [GROUP_SCHEMA],
          displayName: 'Never Created',
          members: members(),
        });
        expectScimError(response, 400, 'invalidValue');
        expect({
          groups: await groupRowCount(gateway.db, t.id),
          memberships: await membershipCount(gateway.db, t.id),
          events: await eventCount(gateway.db),
        }).toEqual(before);
      });

      it.each([
        ['type "Group"', () => [{ value: aGroup.id, type: 'Group' }]],
        ['type "Group" naming a user', () => [{ value: users[0].id, type: 'Group' }]],
        ['no value', () => [{ display: 'Nobody' }]],
      ] as [string, () => Record<string, unknown>[]][])(
        'refuses a member with %s (nested groups are unsupported) with 400',
        async (_case, members) => {
          const before = { groups: await groupRowCount(gateway.db, t.id), events: await eventCount(gateway.db) };
          const response = await t.send('POST', '/scim/v2/Groups', {
            schemas: [GROUP_SCHEMA],
            displayName: 'Never Created',
            members: members(),
          });
          expectScimError(response, 400);
          expect({ groups: await groupRowCount(gateway.db, t.id), events: await eventCount(gateway.db) }).toEqual(
            before,
          );
        },
      );
    });
  });

  describe('read', () => {
    let t: ScimTenant;
    let users: TestUser[];
    let group: any;

    beforeAll(async () => {
      t = await createScimTenant(gateway, 'groups-read');
      users = await createUsers(t, 'read', 2);
      group = await createGroup(t, {
        displayName: 'Readers',
        externalId: 'readers-ext',
        members: users.map((user) => ({ value: user.id })),
      });
    });

    it('answers GET /Groups/{id} with the members and an ETag', async () => {
      const response = await t.send('GET', `/scim/v2/Groups/${group.id}`);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe(SCIM_CONTENT_TYPE);
      expect(response.headers.etag).toBe('W/"1"');
      expect(sortMembers(response.body.members)).toEqual(membersOf(...users));
      expect(response.body).toEqual(group);
    });

    it('leaves out the members key with excludedAttributes=members', async () => {
      const response = await t.send('GET', `/scim/v2/Groups/${group.id}?excludedAttributes=members`);
      const { members: _members, ...rest } = group;
      expect(response.body).toEqual(rest);
      expect(response.body).not.toHaveProperty('members');
    });

    it('does not read the membership table with excludedAttributes=members (it does without)', async () => {
      // (The pending read is returned wrapped: an async function returning a bare promise would wait for it.)
      const { pending } = await whileTableLocked(gateway, 'group_members', async () => {
        const excluded = await within(t.send('GET', `/scim/v2/Groups/${group.id}?excludedAttributes=members`), 5000);
        expect(excluded).not.toBe('timed out');
        expect(excluded !== 'timed out' && excluded.status).toBe(200);
        const listed = await within(
          t.send('GET', groupsQuery({ filter: 'displayName eq "Readers"', excludedAttributes: 'members' })),
          5000,
        );
        expect(listed !== 'timed out' && listed.body.totalResults).toBe(1);
        // Control: the full read waits for the lock, so the lock does keep readers out.
        const pending = t.send('GET', `/scim/v2/Groups/${group.id}`);
        const outcome = await within(pending, 700);
        return { pending, outcome };
      }).then(({ pending, outcome }) => {
        expect(outcome).toBe('timed out');
        return { pending };
      });
      expect((await pending).status).toBe(200);
    });

    it('answers ?attributes=displayName with id and displayName only', async () => {
      const response = await t.send('GET', `/scim/v2/Groups/${group.id}?attributes=displayName`);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ id: group.id, displayName: 'Readers' });
      expect(response.body).not.toHaveProperty('members');
      expect(response.body).not.toHaveProperty('externalId');
      expect(Object.keys(response.body).filter((key) => !['schemas', 'id', 'displayName'].includes(key))).toEqual([]);
    });

    it('answers ?attributes=members.value with the member values only', async () => {
      const response = await t.send('GET', `/scim/v2/Groups/${group.id}?attributes=members.value`);
      expect(response.status).toBe(200);
      expect(response.body).not.toHaveProperty('displayName');
      expect(sortMembers(response.body.members)).toEqual(ids(...users).map((value) => ({ value })));
    });

    it.each([UNKNOWN_ID, 'not-a-uuid', UNKNOWN_ID.toUpperCase().replace('5B0A', '6C1B')])(
      'answers an unknown id (%s) with 404',
      async (id) => {
        expectScimError(await t.send('GET', `/scim/v2/Groups/${id}`), 404);
      },
    );
  });

  describe('PATCH', () => {
    let t: ScimTenant;
    let users: TestUser[];
    let group: any;
    let before: Awaited<ReturnType<typeof snapshot>>;
    /** The group's last event sequence when the test started. */
    let lastSequence: number;

    const patch = (body: unknown, query = '', headers: Record<string, string> = {}) =>
      t.send('PATCH', `/scim/v2/Groups/${group.id}${query}`, body, headers);
    /** Sets the group's members straight in the database, for a known starting point (no events). */
    const startWith = async (...members: TestUser[]) => {
      const response = await t.send('PUT', `/scim/v2/Groups/${group.id}`, {
        schemas: [GROUP_SCHEMA],
        displayName: 'Patched',
        members: members.map((user) => ({ value: user.id })),
      });
      expect(response.status).toBe(200);
      group = response.body;
      before = await snapshot(gateway.db, group.id);
      lastSequence = (await groupEvents(gateway.db, group.id)).at(-1)?.sequence ?? 0;
    };
    const changes = async () => eventsSince(gateway.db, before.events);

    beforeAll(async () => {
      t = await createScimTenant(gateway, 'groups-patch');
      users = await createUsers(t, 'patch', 6);
      group = await createGroup(t, { displayName: 'Patched' });
      await createGroup(t, { displayName: 'Other Group' });
    });

    it('answers 204 with an ETag and no body by default', async () => {
      await startWith(users[0]);
      const response = await patch(patchOp({ op: 'add', path: 'members', value: [{ value: users[1].id }] }));
      expect(response.status).toBe(204);
      expect(response.body).toBeUndefined();
      expect(response.headers.etag).toBe(`W/"${before.version + 1}"`);
    });

    it('answers 200 with the resource, without members, when the query has excludedAttributes=members', async () => {
      await startWith(users[0]);
      const response = await patch(
        patchOp({ op: 'add', path: 'members', value: [{ value: users[1].id }] }),
        '?excludedAttributes=members',
      );
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe(SCIM_CONTENT_TYPE);
      const version = `W/"${before.version + 1}"`;
      expect(response.headers.etag).toBe(version);
      expect(response.body).toEqual({
        schemas: [GROUP_SCHEMA],
        id: group.id,
        displayName: 'Patched',
        meta: expectedGroupMeta(group.id, version),
      });
    });

    it('answers 200 with the named attributes when the query has attributes', async () => {
      await startWith(users[0]);
      const response = await patch(
        patchOp({ op: 'add', path: 'members', value: [{ value: users[1].id }] }),
        '?attributes=displayName,members',
      );
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ id: group.id, displayName: 'Patched' });
      expect(sortMembers(response.body.members)).toEqual(membersOf(users[0], users[1]));
    });

    it('adds members with a path-less add of {members}', async () => {
      await startWith(users[0]);
      expect(
        (await patch(patchOp({ op: 'add', value: { members: [{ value: users[1].id }, { value: users[2].id }] } })))
          .status,
      ).toBe(204);
      expect(await membershipRows(gateway.db, group.id)).toEqual(ids(users[0], users[1], users[2]));
      expectMembershipEvents(
        await changes(),
        t,
        'group.member_added',
        group,
        [users[1].id, users[2].id],
        lastSequence + 1,
      );
    });

    it('adds one membership and one event for a member listed twice, or added while already a member', async () => {
      await startWith(users[0]);
      const body = patchOp({
        op: 'add',
        path: 'members',
        value: [{ value: users[0].id }, { value: users[1].id }, { value: users[1].id }],
      });
      expect((await patch(body)).status).toBe(204);
      expect(await membershipRows(gateway.db, group.id)).toEqual(ids(users[0], users[1]));
      const fresh = await changes();
      expect(fresh).toEqual([membershipEvent(t, 'group.member_added', group, users[1].id, lastSequence + 1)]);
    });

    it('accepts a member id in upper case (UUIDs compare case-insensitively)', async () => {
      await startWith();
      expect(
        (await patch(patchOp({ op: 'add', path: 'members', value: [{ value: users[3].id.toUpperCase() }] }))).status,
      ).toBe(204);
      expect(await membershipRows(gateway.db, group.id)).toEqual([users[3].id]);
      expect((await getGroup(t, group.id)).members).toEqual(membersOf(users[3]));
      expect(
        (await patch(patchOp({ op: 'remove', path: `members[value eq "${users[3].id.toUpperCase()}"]` }))).status,
      ).toBe(204);
      expect(await membershipRows(gateway.db, group.id)).toEqual([]);
    });

    it('makes replace of members the whole set: only the changed memberships make events', async () => {
      await startWith(users[0], users[1], users[2]);
      const body = patchOp({
        op: 'replace',
        path: 'members',
        value: [{ value: users[1].id }, { value: users[3].id }, { value: users[4].id }],
      });
      expect((await patch(body)).status).toBe(204);
      expect(await membershipRows(gateway.db, group.id)).toEqual(ids(users[1], users[3], users[4]));
      const fresh = await changes();
      expect(fresh).toHaveLength(4);
      const removed = fresh.filter((event) => event.type === 'group.member_removed');
      const added = fresh.filter((event) => event.type === 'group.member_added');
      expect(removed.map((event) => (event.data as any).member.value).sort()).toEqual(ids(users[0], users[2]));
      expect(added.map((event) => (event.data as any).member.value).sort()).toEqual(ids(users[3], users[4]));
      const first = fresh[0].sequence;
      expect(fresh.map((event) => event.sequence)).toEqual([first, first + 1, first + 2, first + 3]);
      expect((await getGroup(t, group.id)).meta.version).toBe(`W/"${before.version + 1}"`);
    });

    it('clears the members with replace of members by []', async () => {
      await startWith(users[0], users[1]);
      expect((await patch(patchOp({ op: 'replace', path: 'members', value: [] }))).status).toBe(204);
      expect(await membershipRows(gateway.db, group.id)).toEqual([]);
      expect((await changes()).map((event) => event.type)).toEqual(['group.member_removed', 'group.member_removed']);
      expect(await getGroup(t, group.id)).not.toHaveProperty('members');
    });

    it('clears all members with remove path members and no value (RFC 7644 §3.5.2.2)', async () => {
      await startWith(users[0], users[1], users[2]);
      expect((await patch(patchOp({ op: 'remove', path: 'members' }))).status).toBe(204);
      expect(await membershipRows(gateway.db, group.id)).toEqual([]);
      const fresh = await changes();
      expectMembershipEvents(
        fresh,
        t,
        'group.member_removed',
        group,
        ids(users[0], users[1], users[2]),
        lastSequence + 1,
      );
    });

    it.each([
      ['remove', 'Remove'],
      ['REMOVE', 'REMOVE'],
    ])('removes only the listed members with %s path members and a value list', async (_name, op) => {
      await startWith(users[0], users[1], users[2], users[3]);
      const body = patchOp({ op, path: 'members', value: [{ value: users[1].id }, { value: users[3].id }] });
      expect((await patch(body)).status).toBe(204);
      expect(await membershipRows(gateway.db, group.id)).toEqual(ids(users[0], users[2]));
      const fresh = await changes();
      expectMembershipEvents(fresh, t, 'group.member_removed', group, ids(users[1], users[3]), lastSequence + 1);
    });

    it('removes the members a filter with "or" selects', async () => {
      await startWith(users[0], users[1], users[2]);
      const body = patchOp({ op: 'remove', path: `members[value eq "${users[0].id}" or value eq "${users[2].id}"]` });
      expect((await patch(body)).status).toBe(204);
      expect(await membershipRows(gateway.db, group.id)).toEqual([users[1].id]);
    });

    it('removes the members a filter on display selects', async () => {
      await startWith(users[0], users[1]);
      const body = patchOp({ op: 'remove', path: `members[display eq "${users[1].display}"]` });
      expect((await patch(body)).status).toBe(204);
      expect(await membershipRows(gateway.db, group.id)).toEqual([users[0].id]);
    });

    it.each(['Add', 'ADD', 'add'])('takes the op name in any case (%s)', async (op) => {
      await startWith();
      expect((await patch(patchOp({ op, path: 'members', value: [{ value: users[5].id }] }))).status).toBe(204);
      expect(await membershipRows(gateway.db, group.id)).toEqual([users[5].id]);
    });

    it('renames with replace path displayName, keeping members; group.updated carries the new name', async () => {
      await startWith(users[0]);
      expect((await patch(patchOp({ op: 'Replace', path: 'displayName', value: 'Patched Renamed' }))).status).toBe(204);
      const renamed = await getGroup(t, group.id);
      expect(renamed.displayName).toBe('Patched Renamed');
      expect(renamed.members).toEqual(membersOf(users[0]));
      const fresh = await changes();
      expect(fresh.map((event) => event.type)).toEqual(['group.updated']);
      expect(fresh[0].data).toMatchObject({ id: group.id, displayName: 'Patched Renamed' });
      // Membership events after a rename name the group by its new name.
      expect((await patch(patchOp({ op: 'add', path: 'members', value: [{ value: users[1].id }] }))).status).toBe(204);
      const [added] = (await changes()).slice(1);
      expect((added.data as any).group).toEqual({ id: group.id, displayName: 'Patched Renamed' });
    });

    it('accepts If-Match with the current version and refuses a stale one with 412, changing nothing', async () => {
      await startWith(users[0]);
      const body = patchOp({ op: 'add', path: 'members', value: [{ value: users[1].id }] });
      expectScimError(await patch(body, '', { 'if-match': `W/"${before.version - 1}"` }), 412);
      expect(await snapshot(gateway.db, group.id)).toEqual(before);
      expect((await patch(body, '', { 'if-match': `W/"${before.version}"` })).status).toBe(204);
      expect(await membershipRows(gateway.db, group.id)).toEqual(ids(users[0], users[1]));
    });

    it('applies concurrent PATCHes of one group one after another: every member lands, sequences stay gap-free', async () => {
      await startWith();
      const responses = await Promise.all(
        users.map((user) => patch(patchOp({ op: 'add', path: 'members', value: [{ value: user.id }] }))),
      );
      expect(responses.map((response) => response.status)).toEqual(users.map(() => 204));
      expect(responses.map((response) => response.headers.etag).sort()).toEqual(
        users.map((_user, index) => `W/"${before.version + 1 + index}"`).sort(),
      );
      expect(await membershipRows(gateway.db, group.id)).toEqual(ids(...users));
      const fresh = await changes();
      expect(fresh.map((event) => event.sequence)).toEqual(users.map((_user, index) => lastSequence + 1 + index));
    });

    describe('refuses a bad PATCH with 400, changing nothing (members, version, events)', () => {
      let other: ScimTenant;
      let otherUser: TestUser;

      beforeAll(async () => {
        other = await createScimTenant(gateway, 'groups-patch-other');
        otherUser = await createUser(other, 'stranger@corp.test');
      });

      const valid = () => [
        { op: 'add', path: 'members', value: [{ value: users[2].id }] },
        { op: 'replace', path: 'displayName', value: 'Never Renamed' },
      ];
      const cases: [string, () => Record<string, unknown>[], string | readonly string[] | undefined][] = [
        [
          'an unknown op',
          () => [{ op: 'move', path: 'members', value: [{ value: users[2].id }] }],
          ['invalidSyntax', 'invalidValue'],
        ],
        ['an unknown path', () => [{ op: 'replace', path: 'nickName', value: 'x' }], ['invalidPath', 'noTarget']],
        [
          'a bad third op: unknown op',
          () => [...valid(), { op: 'merge', path: 'displayName', value: 'x' }],
          ['invalidSyntax', 'invalidValue'],
        ],
        [
          'a bad third op: unknown path',
          () => [...valid(), { op: 'add', path: 'owners', value: [{ value: users[3].id }] }],
          ['invalidPath', 'noTarget'],
        ],
        [
          'a bad third op: an unknown user',
          () => [...valid(), { op: 'add', path: 'members', value: [{ value: UNKNOWN_ID }] }],
          'invalidValue',
        ],
        [
          'a bad third op: a malformed id',
          () => [...valid(), { op: 'add', path: 'members', value: [{ value: 'abc' }] }],
          'invalidValue',
        ],
        [
          'a bad third op: another tenant’s user',
          () => [...valid(), { op: 'add', path: 'members', value: [{ value: otherUser.id }] }],
          'invalidValue',
        ],
        [
          'a bad third op: a Group member',
          () => [...valid(), { op: 'add', path: 'members', value: [{ value: group.id, type: 'Group' }] }],
          'invalidValue',
        ],
        [
          'a bad third op: a replace of members naming an unknown user',
          () => [
            ...valid(),
            { op: 'replace', path: 'members', value: [{ value: users[0].id }, { value: UNKNOWN_ID }] },
          ],
          'invalidValue',
        ],
        [
          'a bad third op: a rename to another group’s name',
          () => [
            ...valid().slice(0, 1),
            { op: 'remove', path: 'members', value: [{ value: users[0].id }] },
            { op: 'replace', path: 'displayName', value: 'other group' },
          ],
          'uniqueness',
        ],
        [
          'a group id as a member',
          () => [{ op: 'add', path: 'members', value: [{ value: group.id }] }],
          'invalidValue',
        ],
        ['add without a value', () => [{ op: 'add', path: 'members' }], 'invalidValue'],
        ['a member without a value', () => [{ op: 'add', path: 'members', value: [{ display: 'x' }] }], 'invalidValue'],
        [
          'an edit of a member’s sub-attribute',
          () => [{ op: 'replace', path: `members[value eq "${users[0].id}"].display`, value: 'x' }],
          'mutability',
        ],
        [
          'an add through a value filter',
          () => [{ op: 'add', path: `members[value eq "${users[0].id}"]`, value: { value: users[1].id } }],
          'mutability',
        ],
        ['a replace of id', () => [{ op: 'replace', path: 'id', value: UNKNOWN_ID }], 'mutability'],
        [
          'a path-less replace naming another id',
          () => [{ op: 'replace', value: { id: UNKNOWN_ID, displayName: 'Never Renamed' } }],
          'mutability',
        ],
        ['a replace of displayName by null', () => [{ op: 'replace', path: 'displayName', value: null }], undefined],
        ['a remove without a path', () => [{ op: 'remove', value: [{ value: users[0].id }] }], 'noTarget'],
        ['no operations', () => [], undefined],
      ];
      it.each(cases)('%s', async (_case, operations, scimType) => {
        await startWith(users[0], users[1]);
        const response = await patch(patchOp(...operations()));
        expectScimError(response, scimType === 'uniqueness' ? 409 : 400, scimType);
        expect(await snapshot(gateway.db, group.id)).toEqual(before);
        expect((await getGroup(t, group.id)).meta.version).toBe(`W/"${before.version}"`);
      });

      it('a body that is not a PatchOp', async () => {
        await startWith(users[0]);
        expectScimError(await patch({ schemas: [GROUP_SCHEMA], displayName: 'x' }), 400);
        expectScimError(await patch('{"Operations": [', '', { 'content-type': 'application/scim+json' }), 400);
        expect(await snapshot(gateway.db, group.id)).toEqual(before);
      });
    });

    it('answers a PATCH of an unknown group with 404', async () => {
      const body = patchOp({ op: 'add', path: 'members', value: [{ value: users[0].id }] });
      expectScimError(await t.send('PATCH', `/scim/v2/Groups/${UNKNOWN_ID}`, body), 404);
    });
  });

  describe('PUT', () => {
    let t: ScimTenant;
    let users: TestUser[];
    let group: any;

    beforeAll(async () => {
      t = await createScimTenant(gateway, 'groups-put');
      users = await createUsers(t, 'put', 4);
      group = await createGroup(t, {
        displayName: 'Put Group',
        externalId: 'put-ext',
        members: [{ value: users[0].id }, { value: users[1].id }],
      });
    });

    it('replaces displayName, externalId and the member set; 200 with the resource', async () => {
      const count = await eventCount(gateway.db);
      const response = await t.send('PUT', `/scim/v2/Groups/${group.id}`, {
        schemas: [GROUP_SCHEMA],
        displayName: 'Put Group Renamed',
        externalId: 'put-ext-2',
        members: [{ value: users[1].id }, { value: users[2].id }, { value: users[3].id }],
      });
      expect(response.status).toBe(200);
      expect(response.headers.etag).toBe('W/"2"');
      expect({ ...response.body, members: sortMembers(response.body.members) }).toEqual({
        schemas: [GROUP_SCHEMA],
        id: group.id,
        displayName: 'Put Group Renamed',
        externalId: 'put-ext-2',
        members: membersOf(users[1], users[2], users[3]),
        meta: expectedGroupMeta(group.id, 'W/"2"'),
      });
      group = response.body;
      const fresh = await eventsSince(gateway.db, count);
      expect(fresh.map((event) => event.sequence)).toEqual([4, 5, 6, 7]);
      expect(fresh[0]).toEqual(groupEvent(t, 'group.updated', { ...withoutMembers(group) }, 4));
      const rest = fresh.slice(1);
      expect(rest.filter((e) => e.type === 'group.member_removed').map((e) => (e.data as any).member.value)).toEqual([
        users[0].id,
      ]);
      expect(
        rest
          .filter((e) => e.type === 'group.member_added')
          .map((e) => (e.data as any).member.value)
          .sort(),
      ).toEqual(ids(users[2], users[3]));
    });

    it('changes nothing (no version, no event) for a PUT of the group as read (id, meta and member details included)', async () => {
      const count = await eventCount(gateway.db);
      const response = await t.send('PUT', `/scim/v2/Groups/${group.id}`, group);
      expect(response.status).toBe(200);
      expect(response.body).toEqual(group);
      expect(await eventCount(gateway.db)).toBe(count);
    });

    it('clears externalId and members a PUT leaves out', async () => {
      const response = await t.send('PUT', `/scim/v2/Groups/${group.id}`, {
        schemas: [GROUP_SCHEMA],
        displayName: 'Put Group Renamed',
      });
      expect(response.status).toBe(200);
      expect(response.body).not.toHaveProperty('externalId');
      expect(response.body).not.toHaveProperty('members');
      expect(await membershipRows(gateway.db, group.id)).toEqual([]);
      group = response.body;
    });

    it.each([
      ['an unknown member', () => [{ value: UNKNOWN_ID }]],
      ['a Group member', () => [{ value: group.id, type: 'Group' }]],
    ] as [string, () => Record<string, unknown>[]][])(
      'refuses a PUT with %s with 400, changing nothing',
      async (_case, members) => {
        const before = await snapshot(gateway.db, group.id);
        const response = await t.send('PUT', `/scim/v2/Groups/${group.id}`, {
          schemas: [GROUP_SCHEMA],
          displayName: 'Never',
          members: [{ value: users[0].id }, ...members()],
        });
        expectScimError(response, 400, 'invalidValue');
        expect(await snapshot(gateway.db, group.id)).toEqual(before);
      },
    );

    it('refuses a PUT without displayName with 400, and one of an unknown group with 404', async () => {
      expectScimError(await t.send('PUT', `/scim/v2/Groups/${group.id}`, { schemas: [GROUP_SCHEMA] }), 400);
      expectScimError(
        await t.send('PUT', `/scim/v2/Groups/${UNKNOWN_ID}`, { schemas: [GROUP_SCHEMA], displayName: 'x' }),
        404,
      );
    });

    it('refuses a stale If-Match with 412', async () => {
      const response = await t.send(
        'PUT',
        `/scim/v2/Groups/${group.id}`,
        { schemas: [GROUP_SCHEMA], displayName: 'x' },
        { 'if-match': 'W/"1"' },
      );
      expectScimError(response, 412);
    });
  });

  describe('DELETE, and deleting users', () => {
    let t: ScimTenant;
    let users: TestUser[];

    beforeAll(async () => {
      t = await createScimTenant(gateway, 'groups-delete');
      users = await createUsers(t, 'del', 4);
    });

    it('deletes a group: 204, then 404; the users stay, their memberships go, group.deleted is the last event', async () => {
      const group = await createGroup(t, {
        displayName: 'Doomed',
        members: [{ value: users[0].id }, { value: users[1].id }],
      });
      expectScimError(await t.send('DELETE', `/scim/v2/Groups/${group.id}`, undefined, { 'if-match': 'W/"7"' }), 412);
      const response = await t.send('DELETE', `/scim/v2/Groups/${group.id}`);
      expect(response.status).toBe(204);
      expectScimError(await t.send('GET', `/scim/v2/Groups/${group.id}`), 404);
      expectScimError(
        await t.send(
          'PATCH',
          `/scim/v2/Groups/${group.id}`,
          patchOp({ op: 'add', path: 'members', value: [{ value: users[2].id }] }),
        ),
        404,
      );
      expect(await membershipRows(gateway.db, group.id)).toEqual([]);
      for (const user of users.slice(0, 2)) {
        const read = await t.send('GET', `/scim/v2/Users/${user.id}`);
        expect(read.status).toBe(200);
        expect(read.body).not.toHaveProperty('groups');
      }
      const all = await groupEvents(gateway.db, group.id);
      expect(all.map((event) => [event.type, event.sequence])).toEqual([
        ['group.created', 1],
        ['group.member_added', 2],
        ['group.member_added', 3],
        ['group.deleted', 4],
      ]);
      expect(all[3]).toEqual(groupEvent(t, 'group.deleted', withoutMembers(group), 4));
    });

    it('removes a deleted user from every group: members, meta.version and one member_removed per group', async () => {
      const first = await createGroup(t, {
        displayName: 'First',
        members: [{ value: users[2].id }, { value: users[3].id }],
      });
      const second = await createGroup(t, { displayName: 'Second', members: [{ value: users[2].id }] });
      const untouched = await createGroup(t, { displayName: 'Untouched', members: [{ value: users[3].id }] });
      const count = await eventCount(gateway.db);
      expect((await t.send('DELETE', `/scim/v2/Users/${users[2].id}`)).status).toBe(204);

      const firstNow = await getGroup(t, first.id);
      expect(firstNow.members).toEqual(membersOf(users[3]));
      expect(firstNow.meta.version).not.toBe(first.meta.version);
      const secondNow = await getGroup(t, second.id);
      expect(secondNow).not.toHaveProperty('members');
      expect(secondNow.meta.version).not.toBe(second.meta.version);
      expect(await getGroup(t, untouched.id)).toEqual(untouched);

      const fresh = await eventsSince(gateway.db, count);
      expect(fresh.map((event) => event.type).sort()).toEqual([
        'group.member_removed',
        'group.member_removed',
        'user.deleted',
      ]);
      expect(fresh.find((event) => event.subject.id === first.id)).toEqual(
        membershipEvent(t, 'group.member_removed', first, users[2].id, 4),
      );
      expect(fresh.find((event) => event.subject.id === second.id)).toEqual(
        membershipEvent(t, 'group.member_removed', second, users[2].id, 3),
      );
      // A member filter for the deleted user finds nothing.
      const byMember = await t.send('GET', groupsQuery({ filter: `members eq "${users[2].id}"` }));
      expect(byMember.body.totalResults).toBe(0);
    });
  });

  describe('a user’s read-only groups', () => {
    let t: ScimTenant;
    let users: TestUser[];

    beforeAll(async () => {
      t = await createScimTenant(gateway, 'groups-of-users');
      users = await createUsers(t, 'member', 2);
    });

    it('has no groups key for a user in no group', async () => {
      const response = await t.send('GET', `/scim/v2/Users/${users[1].id}`);
      expect(response.status).toBe(200);
      expect(response.body).not.toHaveProperty('groups');
    });

    it('lists {value, display, $ref, type: "direct"} of each group, in GET and in lists', async () => {
      const alpha = await createGroup(t, { displayName: 'alpha', members: [{ value: users[0].id }] });
      const beta = await createGroup(t, { displayName: 'Beta', members: [{ value: users[0].id }] });
      const expected = [alpha, beta]
        .map((group) => ({
          value: group.id,
          display: group.displayName,
          $ref: `${SCIM_BASE_URL}/Groups/${group.id}`,
          type: 'direct',
        }))
        .sort((a, b) => a.value.localeCompare(b.value));
      const sorted = (groups: { value: string }[]) => [...groups].sort((a, b) => a.value.localeCompare(b.value));
      const read = await t.send('GET', `/scim/v2/Users/${users[0].id}`);
      expect(sorted(read.body.groups)).toEqual(expected);
      const listed = await t.send(
        'GET',
        `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${users[0].userName}"`)}`,
      );
      expect(sorted(listed.body.Resources[0].groups)).toEqual(expected);
      expect(await t.send('GET', `/scim/v2/Users/${users[1].id}`)).toMatchObject({
        body: expect.not.objectContaining({ groups: expect.anything() }),
      });
    });

    it('ignores groups sent in a user PUT (read-only): memberships change only through /Groups', async () => {
      const read = (await t.send('GET', `/scim/v2/Users/${users[1].id}`)).body;
      const group = await createGroup(t, { displayName: 'Not Joined By PUT' });
      const response = await t.send('PUT', `/scim/v2/Users/${users[1].id}`, { ...read, groups: [{ value: group.id }] });
      expect(response.status).toBe(200);
      expect(response.body).not.toHaveProperty('groups');
      expect(await membershipRows(gateway.db, group.id)).toEqual([]);
    });
  });

  describe('filters, paging and .search', () => {
    let t: ScimTenant;
    let users: TestUser[];
    let groups: any[];

    beforeAll(async () => {
      t = await createScimTenant(gateway, 'groups-list');
      users = await createUsers(t, 'list', 3);
      groups = [];
      for (let n = 1; n <= 5; n += 1) {
        groups.push(
          await createGroup(t, {
            displayName: `List Group ${n}`,
            externalId: `List-Ext-${n}`,
            members: users.slice(0, n % 4).map((user) => ({ value: user.id })),
          }),
        );
      }
    });

    const list = async (parameters: Record<string, string | number>) => {
      const response = await t.send('GET', groupsQuery(parameters));
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe(SCIM_CONTENT_TYPE);
      return response;
    };
    const idsOf = (...indexes: number[]) => indexes.map((index) => groups[index].id);

    it.each([
      ['displayName eq "list group 3"', [2]],
      ['displayName eq "LIST GROUP 3"', [2]],
      ['externalId eq "List-Ext-4"', [3]],
      ['displayName sw "List Group"', [0, 1, 2, 3, 4]],
    ])('filters %s', async (filter, expected) => {
      expect(resourceIds(await list({ filter }))).toEqual(idsOf(...expected));
    });

    it('filters externalId case-exactly', async () => {
      expect(resourceIds(await list({ filter: 'externalId eq "list-ext-4"' }))).toEqual([]);
    });

    it.each(['members', 'members.value'])('filters %s eq "<userId>"', async (attribute) => {
      // users[2] is in groups 3 (n=3); users[0] in groups with n%4 >= 1: 1, 2, 3, 5.
      expect(resourceIds(await list({ filter: `${attribute} eq "${users[2].id}"` }))).toEqual(idsOf(2));
      expect(resourceIds(await list({ filter: `${attribute} eq "${users[0].id}"` }))).toEqual(idsOf(0, 1, 2, 4));
      expect(resourceIds(await list({ filter: `${attribute} eq "${UNKNOWN_ID}"` }))).toEqual([]);
    });

    it('filters members[value eq "<userId>"] and members pr', async () => {
      expect(resourceIds(await list({ filter: `members[value eq "${users[2].id}"]` }))).toEqual(idsOf(2));
      // Group 4 (n = 4) has no members.
      expect(resourceIds(await list({ filter: 'members pr' }))).toEqual(idsOf(0, 1, 2, 4));
      expect(resourceIds(await list({ filter: 'not (members pr)' }))).toEqual(idsOf(3));
    });

    it('answers Entra’s id-and-member check with 1 result for a member and 0 for a non-member', async () => {
      const check = (groupIndex: number, user: TestUser) =>
        list({ filter: `id eq "${groups[groupIndex].id}" and members eq "${user.id}"`, excludedAttributes: 'members' });
      const hit = await check(2, users[2]);
      expect(hit.body).toMatchObject({ totalResults: 1, itemsPerPage: 1 });
      expect(hit.body.Resources).toEqual([withoutMembers(groups[2])]);
      expect((await check(1, users[2])).body).toMatchObject({ totalResults: 0, Resources: [] });
      expect((await check(3, users[0])).body).toMatchObject({ totalResults: 0, Resources: [] });
    });

    it('lists with members by default and without them on excludedAttributes=members', async () => {
      const full = await list({ filter: 'displayName sw "List"' });
      expect(full.body.Resources.map((group: any) => memberIds(group))).toEqual(
        groups.map((group) => memberIds(group)),
      );
      const bare = await list({ filter: 'displayName sw "List"', excludedAttributes: 'members' });
      expect(bare.body.Resources).toEqual(groups.map(withoutMembers));
    });

    it('pages with startIndex and count in creation order, with totalResults of the whole', async () => {
      const first = await list({ startIndex: 1, count: 2 });
      expect(first.body).toMatchObject({ totalResults: 5, startIndex: 1, itemsPerPage: 2 });
      expect(resourceIds(first)).toEqual(idsOf(0, 1));
      const second = await list({ startIndex: 3, count: 2 });
      expect(second.body).toMatchObject({ totalResults: 5, startIndex: 3, itemsPerPage: 2 });
      expect(resourceIds(second)).toEqual(idsOf(2, 3));
      const last = await list({ startIndex: 5, count: 2 });
      expect(resourceIds(last)).toEqual(idsOf(4));
      const beyond = await list({ startIndex: 6, count: 2 });
      expect(beyond.body).toMatchObject({ totalResults: 5, startIndex: 6, itemsPerPage: 0, Resources: [] });
      const none = await list({ count: 0 });
      expect(none.body).toMatchObject({ totalResults: 5, itemsPerPage: 0 });
    });

    it('sorts by displayName descending', async () => {
      expect(resourceIds(await list({ sortBy: 'displayName', sortOrder: 'descending' }))).toEqual(idsOf(4, 3, 2, 1, 0));
    });

    it('answers POST /Groups/.search like GET', async () => {
      const response = await t.send('POST', '/scim/v2/Groups/.search', {
        schemas: [SEARCH_REQUEST_SCHEMA],
        filter: `members eq "${users[0].id}"`,
        excludedAttributes: ['members'],
        startIndex: 2,
        count: 2,
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ totalResults: 4, startIndex: 2, itemsPerPage: 2 });
      expect(response.body.Resources).toEqual([withoutMembers(groups[1]), withoutMembers(groups[2])]);
    });

    it('answers members.display eq "<a member’s display>" correctly or refuses it with 400 invalidFilter, never with a silent 0', async () => {
      // Members are not in the stored document, so a filter reaching into it can only ever miss.
      const response = await t.send('GET', groupsQuery({ filter: `members.display eq "${users[2].display}"` }));
      if (response.status === 200) expect(resourceIds(response)).toEqual(idsOf(2));
      else expectScimError(response, 400, 'invalidFilter');
    });

    it.each(['members gt "x"', 'displayName eq'])('refuses the filter %s with 400 invalidFilter', async (filter) => {
      expectScimError(await t.send('GET', groupsQuery({ filter })), 400, 'invalidFilter');
    });
  });

  describe('tenant isolation', () => {
    let a: ScimTenant;
    let b: ScimTenant;
    let aUser: TestUser;
    let bUser: TestUser;
    let aGroup: any;
    let bGroup: any;

    beforeAll(async () => {
      a = await createScimTenant(gateway, 'groups-tenant-a');
      b = await createScimTenant(gateway, 'groups-tenant-b');
      aUser = await createUser(a, 'same@corp.test');
      bUser = await createUser(b, 'same@corp.test');
      aGroup = await createGroup(a, {
        displayName: 'Shared Name',
        externalId: 'shared-ext',
        members: [{ value: aUser.id }],
      });
    });

    it.each([
      ['GET', undefined],
      ['PUT', { schemas: [GROUP_SCHEMA], displayName: 'Taken Over' }],
      ['PATCH', patchOp({ op: 'remove', path: 'members' })],
      ['DELETE', undefined],
    ] as const)('answers tenant B’s %s of tenant A’s group with 404, changing nothing', async (method, body) => {
      const before = await snapshot(gateway.db, aGroup.id);
      expectScimError(await b.send(method, `/scim/v2/Groups/${aGroup.id}`, body), 404);
      expectScimError(await b.send(method, `/scim/v2/Groups/${aGroup.id}`, body, { 'if-match': '*' }), 404);
      expect(await snapshot(gateway.db, aGroup.id)).toEqual(before);
      expect(await getGroup(a, aGroup.id)).toEqual(aGroup);
    });

    it('lets tenant B use the same displayName', async () => {
      bGroup = await createGroup(b, {
        displayName: 'SHARED NAME',
        externalId: 'shared-ext',
        members: [{ value: bUser.id }],
      });
      expect(bGroup.id).not.toBe(aGroup.id);
      expect((await groupEvents(gateway.db, bGroup.id))[0].tenant).toEqual({ id: b.id, slug: b.slug });
    });

    it.each([
      () => 'displayName eq "Shared Name"',
      () => 'externalId eq "shared-ext"',
      () => `members eq "${aUser.id}"`,
      () => `id eq "${aGroup.id}"`,
      () => 'displayName pr',
    ])('never shows tenant A’s groups to tenant B (filter #%#)', async (filter) => {
      const response = await b.send('GET', groupsQuery({ filter: filter() }));
      expect(response.status).toBe(200);
      expect(resourceIds(response)).not.toContain(aGroup.id);
      const search = await b.send('POST', '/scim/v2/Groups/.search', {
        schemas: [SEARCH_REQUEST_SCHEMA],
        filter: filter(),
      });
      expect(resourceIds(search)).not.toContain(aGroup.id);
    });

    it('refuses tenant A’s user as a member of tenant B’s group (POST, PATCH, PUT) with 400, changing nothing', async () => {
      const before = await snapshot(gateway.db, bGroup.id);
      const groupsBefore = await groupRowCount(gateway.db, b.id);
      expectScimError(
        await b.send('POST', '/scim/v2/Groups', {
          schemas: [GROUP_SCHEMA],
          displayName: 'Borrowed',
          members: [{ value: aUser.id }],
        }),
        400,
        'invalidValue',
      );
      expectScimError(
        await b.send(
          'PATCH',
          `/scim/v2/Groups/${bGroup.id}`,
          patchOp({ op: 'add', path: 'members', value: [{ value: aUser.id }] }),
        ),
        400,
        'invalidValue',
      );
      expectScimError(
        await b.send('PUT', `/scim/v2/Groups/${bGroup.id}`, {
          schemas: [GROUP_SCHEMA],
          displayName: 'SHARED NAME',
          members: [{ value: aUser.id }],
        }),
        400,
        'invalidValue',
      );
      expect(await snapshot(gateway.db, bGroup.id)).toEqual(before);
      expect(await groupRowCount(gateway.db, b.id)).toBe(groupsBefore);
    });

    it('does not let tenant B remove tenant A’s user from A’s group through B’s own group', async () => {
      const response = await b.send(
        'PATCH',
        `/scim/v2/Groups/${bGroup.id}`,
        patchOp({ op: 'remove', path: `members[value eq "${aUser.id}"]` }),
      );
      expect(response.status).toBe(204);
      expect(await membershipRows(gateway.db, aGroup.id)).toEqual([aUser.id]);
    });

    it('shows each user only the groups of their own tenant', async () => {
      expect(
        (await a.send('GET', `/scim/v2/Users/${aUser.id}`)).body.groups.map((g: { value: string }) => g.value),
      ).toEqual([aGroup.id]);
      expect(
        (await b.send('GET', `/scim/v2/Users/${bUser.id}`)).body.groups.map((g: { value: string }) => g.value),
      ).toEqual([bGroup.id]);
    });
  });

  describe('events', () => {
    let t: ScimTenant;
    let users: TestUser[];

    beforeAll(async () => {
      t = await createScimTenant(gateway, 'groups-events');
      users = await createUsers(t, 'evt', 3);
    });

    it('numbers every event of a group 1, 2, 3 … without gaps, through a whole life', async () => {
      const group = await createGroup(t, { displayName: 'Lifecycle', members: [{ value: users[0].id }] });
      const url = `/scim/v2/Groups/${group.id}`;
      const steps: [string, unknown][] = [
        ['PATCH', patchOp({ op: 'add', path: 'members', value: [{ value: users[1].id }, { value: users[2].id }] })],
        ['PATCH', patchOp({ op: 'add', path: 'members', value: [{ value: users[1].id }] })], // no change
        ['PATCH', patchOp({ op: 'replace', value: { id: group.id, displayName: 'Lifecycle 2' } })],
        ['PATCH', patchOp({ op: 'replace', path: 'displayName', value: 'Lifecycle 2' })], // no change
        ['PATCH', patchOp({ op: 'add', path: 'members', value: [{ value: UNKNOWN_ID }] })], // refused
        ['PATCH', patchOp({ op: 'remove', path: `members[value eq "${users[0].id}"]` })],
        ['PUT', { schemas: [GROUP_SCHEMA], displayName: 'Lifecycle 3', members: [{ value: users[0].id }] }],
        ['DELETE', undefined],
      ];
      for (const [method, body] of steps) await t.send(method as 'PATCH', url, body);
      const all = await groupEvents(gateway.db, group.id);
      expect(all.map((event) => event.type)).toEqual([
        'group.created',
        'group.member_added',
        'group.member_added',
        'group.member_added',
        'group.updated',
        'group.member_removed',
        'group.updated',
        'group.member_removed',
        'group.member_removed',
        'group.member_added',
        'group.deleted',
      ]);
      expect(all.map((event) => event.sequence)).toEqual(all.map((_event, index) => index + 1));
      for (const event of all) {
        expect(event.subject).toEqual({ type: 'group', id: group.id });
        expect(event.tenant).toEqual({ id: t.id, slug: t.slug });
        expect(JSON.stringify(event.data)).not.toMatch(/"members"/);
      }
      // The outbox columns agree with the payloads.
      const rows = await gateway.db.query<{ type: string; subject_type: string; sequence: string; tenant_id: string }>(
        'SELECT type, subject_type, sequence, tenant_id FROM outbox_events WHERE subject_id = $1 ORDER BY position',
        [group.id],
      );
      expect(rows.map((row) => [row.type, row.subject_type, Number(row.sequence), row.tenant_id])).toEqual(
        all.map((event) => [event.type, 'group', event.sequence, t.id]),
      );
    });

    it('writes no event for a refused create', async () => {
      const count = await eventCount(gateway.db);
      await t.send('POST', '/scim/v2/Groups', {
        schemas: [GROUP_SCHEMA],
        displayName: 'Refused',
        members: [{ value: users[0].id }, { value: 'nope' }],
      });
      expect(await eventCount(gateway.db)).toBe(count);
      expect((await events(gateway.db)).filter((event) => (event.data as any)?.displayName === 'Refused')).toEqual([]);
    });
  });

  it('never answered 5xx', () => {
    expect(serverErrors).toEqual([]);
  });
});

function withoutMembers(group: Record<string, unknown>): Record<string, unknown> {
  const { members: _members, ...rest } = group;
  return rest;
}
