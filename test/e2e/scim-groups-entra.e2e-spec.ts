import { TestApp } from '../support/test-app';
import {
  SCIM_BASE_URL,
  SCIM_CONTENT_TYPE,
  ScimTenant,
  UUID,
  createScimTenant,
  expectScimError,
  fixture,
  serverErrors,
  startScimApp,
} from '../support/scim-client';
import {
  GROUP_SCHEMA,
  TestUser,
  createUsers,
  expectMembershipEvents,
  expectedGroupMeta,
  getGroup,
  groupEvent,
  groupEvents,
  membersOf,
  membershipEvent,
  membershipRows,
  resourceIds,
  snapshot,
  sortMembers,
} from '../support/scim-groups-client';

/**
 * Microsoft Entra ID's group provisioning (/work/shared/SCIM-DIALECTS.md, "Microsoft Entra ID"):
 * create with externalId, lookups, capitalised Add/Remove of member lists, and 204 answers.
 * The tests share one tenant and one group, and run in order.
 */
describe('SCIM /Groups as Microsoft Entra ID provisions them', () => {
  let gateway: TestApp;
  let entra: ScimTenant;
  let users: TestUser[];
  let group: any;
  let seen = 0;

  const created = fixture('entra/create-group');
  /** Entra sometimes posts application/json. */
  const patch = (body: unknown) =>
    entra.send('PATCH', `/scim/v2/Groups/${group.id}`, body, { 'content-type': 'application/json' });
  const newEvents = async () => {
    const all = await groupEvents(gateway.db, group.id);
    const fresh = all.slice(seen);
    seen = all.length;
    return fresh;
  };
  /** Entra's membership check, as it sends it: unencoded spaces and quotes. */
  const memberCheck = (groupId: string, userId: string) =>
    entra.send(
      'GET',
      `/scim/v2/Groups?filter=id eq "${groupId}" and members eq "${userId}"&excludedAttributes=members`,
    );

  beforeAll(async () => {
    gateway = await startScimApp();
    entra = await createScimTenant(gateway, 'entra-groups');
    users = await createUsers(entra, 'entra.user', 6);
  });
  afterAll(() => gateway.close());

  it('answers the lookup by displayName with excludedAttributes=members on an empty tenant with an empty list', async () => {
    const response = await entra.send(
      'GET',
      '/scim/v2/Groups?excludedAttributes=members&filter=displayName eq "Group1DisplayName"',
    );
    expect(response.status).toBe(200);
    expect(response.body).toEqual(fixture('okta/empty-list-response'));
  });

  it('creates the group with externalId and displayName (Entra’s meta is ignored)', async () => {
    const response = await entra.send('POST', '/scim/v2/Groups', created, { 'content-type': 'application/json' });
    expect(response.status).toBe(201);
    expect(response.headers['content-type']).toBe(SCIM_CONTENT_TYPE);
    expect(response.body.id).toMatch(UUID);
    group = response.body;
    expect(group).toEqual({
      schemas: [GROUP_SCHEMA],
      id: group.id,
      externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159',
      displayName: 'Group1DisplayName',
      meta: expectedGroupMeta(group.id, 'W/"1"'),
    });
    expect(response.headers.location).toBe(`${SCIM_BASE_URL}/Groups/${group.id}`);
    expect(response.headers.etag).toBe('W/"1"');
    expect(await newEvents()).toEqual([groupEvent(entra, 'group.created', group, 1)]);
  });

  it.each([
    ['displayName', '/scim/v2/Groups?excludedAttributes=members&filter=displayName eq "Group1DisplayName"'],
    [
      'displayName, encoded',
      '/scim/v2/Groups?excludedAttributes=members&filter=displayName%20eq%20%22group1displayname%22',
    ],
    [
      'externalId',
      '/scim/v2/Groups?excludedAttributes=members&filter=externalId eq "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159"',
    ],
  ])('finds the group by %s', async (_by, url) => {
    const response = await entra.send('GET', url);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ totalResults: 1, itemsPerPage: 1 });
    expect(response.body.Resources).toEqual([group]);
  });

  it('adds one member with "Add" path members: 204', async () => {
    const response = await patch(fixture('entra/patch-group-add-member', { userId: users[0].id }));
    expect(response.status).toBe(204);
    expect(response.body).toBeUndefined();
    expect(response.headers.etag).toBe('W/"2"');
    group = await getGroup(entra, group.id);
    expect(group.members).toEqual(membersOf(users[0]));
    expect(await newEvents()).toEqual([membershipEvent(entra, 'group.member_added', group, users[0].id, 2)]);
  });

  it('adds a list of members with one "Add", one event per member actually added', async () => {
    // users[0] is already a member: it is kept once and makes no event.
    const body = fixture('entra/group-add-members', {
      userId1: users[0].id,
      userId2: users[1].id,
      userId3: users[2].id,
    });
    expect((await patch(body)).status).toBe(204);
    const more = fixture('entra/group-add-members', {
      userId1: users[3].id,
      userId2: users[4].id,
      userId3: users[5].id,
    });
    expect((await patch(more)).status).toBe(204);
    group = await getGroup(entra, group.id);
    expect(sortMembers(group.members)).toEqual(membersOf(...users));
    expect(await membershipRows(gateway.db, group.id)).toEqual(users.map((user) => user.id).sort());
    const added = [1, 2, 3, 4, 5].map((n) => users[n].id);
    expectMembershipEvents(await newEvents(), entra, 'group.member_added', group, added, 3);
  });

  it('answers the membership check "id eq … and members eq …" with 1 result for a member', async () => {
    const response = await memberCheck(group.id, users[4].id);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ totalResults: 1, itemsPerPage: 1 });
    const { members: _members, ...withoutMembers } = group;
    expect(response.body.Resources).toEqual([withoutMembers]);
  });

  it('removes ONLY the listed members with "Remove" path members and a value list', async () => {
    const body = fixture('entra/group-remove-members', { userId1: users[1].id, userId2: users[3].id });
    const response = await patch(body);
    expect(response.status).toBe(204);
    group = await getGroup(entra, group.id);
    expect(sortMembers(group.members)).toEqual(membersOf(users[0], users[2], users[4], users[5]));
    expectMembershipEvents(await newEvents(), entra, 'group.member_removed', group, [users[1].id, users[3].id], 8);
  });

  it('removes one member with "Remove" and a one-element list; the rest stay', async () => {
    expect((await patch(fixture('entra/patch-group-remove-member', { userId: users[5].id }))).status).toBe(204);
    group = await getGroup(entra, group.id);
    expect(sortMembers(group.members)).toEqual(membersOf(users[0], users[2], users[4]));
    expect(await newEvents()).toEqual([membershipEvent(entra, 'group.member_removed', group, users[5].id, 10)]);
  });

  it('answers the membership check with 0 results for a user who is not (or no longer) a member', async () => {
    for (const user of [users[1], users[3], users[5]]) {
      const response = await memberCheck(group.id, user.id);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ totalResults: 0, Resources: [] });
    }
  });

  it('renames with "Replace" path displayName: 204 and group.updated', async () => {
    const response = await patch(fixture('entra/group-replace-display-name', { displayName: 'Group1 Renamed' }));
    expect(response.status).toBe(204);
    const renamed = await getGroup(entra, group.id);
    expect(renamed).toEqual({
      ...group,
      displayName: 'Group1 Renamed',
      meta: expect.objectContaining({ version: 'W/"7"' }),
    });
    group = renamed;
    const { members: _members, ...withoutMembers } = renamed;
    expect(await newEvents()).toEqual([groupEvent(entra, 'group.updated', withoutMembers, 11)]);
  });

  it('applies Replace displayName, Replace externalId, Add and Remove of one request together', async () => {
    const body = fixture('entra/group-multi-op', {
      displayName: 'Group1 Final',
      externalId: 'ext-final',
      addUserId: users[1].id,
      removeUserId: users[0].id,
    });
    const response = await patch(body);
    expect(response.status).toBe(204);
    expect(response.headers.etag).toBe('W/"8"');
    group = await getGroup(entra, group.id);
    expect(group).toMatchObject({ displayName: 'Group1 Final', externalId: 'ext-final' });
    expect(sortMembers(group.members)).toEqual(membersOf(users[1], users[2], users[4]));
    const { members: _members, ...withoutMembers } = group;
    expect(await newEvents()).toEqual([
      groupEvent(entra, 'group.updated', withoutMembers, 12),
      membershipEvent(entra, 'group.member_added', group, users[1].id, 13),
      membershipEvent(entra, 'group.member_removed', group, users[0].id, 14),
    ]);
  });

  it('changes nothing when one operation of a request is refused (an unknown user in the last Add)', async () => {
    const before = await snapshot(gateway.db, group.id);
    const body = fixture('entra/group-multi-op', {
      displayName: 'Never Applied',
      externalId: 'never',
      addUserId: users[3].id,
      removeUserId: users[1].id,
    });
    body.Operations.push({ op: 'Add', path: 'members', value: [{ value: '5b0a9a3e-0b7e-4c55-9b55-0c8a7c2f2a10' }] });
    expectScimError(await patch(body), 400, 'invalidValue');
    expect(await snapshot(gateway.db, group.id)).toEqual(before);
  });

  it('answers an unknown group id with 404 in the SCIM error schema, for every method', async () => {
    const unknown = '3d3f1c1e-8a4b-4e57-9a51-1f0d3c6f2b11';
    expectScimError(await entra.send('GET', `/scim/v2/Groups/${unknown}`), 404);
    expectScimError(
      await entra.send(
        'PATCH',
        `/scim/v2/Groups/${unknown}`,
        fixture('entra/patch-group-add-member', { userId: users[0].id }),
      ),
      404,
    );
    expectScimError(await entra.send('DELETE', `/scim/v2/Groups/${unknown}`), 404);
    const check = await memberCheck(unknown, users[0].id);
    expect(check.body).toMatchObject({ totalResults: 0, Resources: [] });
  });

  it('deletes the group: 204, then 404; its users stay', async () => {
    expect((await entra.send('DELETE', `/scim/v2/Groups/${group.id}`)).status).toBe(204);
    expectScimError(await entra.send('GET', `/scim/v2/Groups/${group.id}`), 404);
    const list = await entra.send('GET', '/scim/v2/Users');
    expect(list.body.totalResults).toBe(users.length);
    expect(resourceIds(list).sort()).toEqual(users.map((user) => user.id).sort());
    expect((await newEvents()).map((event) => [event.type, event.sequence])).toEqual([['group.deleted', 15]]);
  });

  it('never answered 5xx', () => {
    expect(serverErrors).toEqual([]);
  });
});
