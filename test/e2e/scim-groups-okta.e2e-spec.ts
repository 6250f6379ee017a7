import { TestApp } from '../support/test-app';
import {
  SCIM_BASE_URL,
  SCIM_CONTENT_TYPE,
  ScimTenant,
  UUID,
  createScimTenant,
  eventCount,
  expectScimError,
  fixture,
  serverErrors,
  startScimApp,
} from '../support/scim-client';
import {
  GROUP_SCHEMA,
  TestUser,
  createUser,
  expectMembershipEvents,
  expectedGroupMeta,
  getGroup,
  groupEvent,
  groupEvents,
  groupsQuery,
  membersOf,
  membershipEvent,
  membershipRows,
  snapshot,
  sortMembers,
} from '../support/scim-groups-client';

/**
 * Okta's group push, in the order Okta sends it (/work/shared/SCIM-DIALECTS.md, "Group push").
 * The tests share one tenant and one group, and run in order.
 */
describe('SCIM /Groups as Okta pushes them', () => {
  let gateway: TestApp;
  let okta: ScimTenant;
  let ann: TestUser;
  let bob: TestUser;
  let cid: TestUser;
  /** The group as the last successful response showed it. */
  let group: any;
  /** Events of the group seen so far. */
  let seen = 0;

  const lookupUrl = '/scim/v2/Groups?filter=displayName%20eq%20%22Test%20SCIMv2%22&startIndex=1&count=100';
  /** Okta's PATCHes are posted as application/json. */
  const patch = (body: unknown, query = '') =>
    okta.send('PATCH', `/scim/v2/Groups/${group.id}${query}`, body, { 'content-type': 'application/json' });
  const newEvents = async () => {
    const all = await groupEvents(gateway.db, group.id);
    const fresh = all.slice(seen);
    seen = all.length;
    return fresh;
  };

  beforeAll(async () => {
    gateway = await startScimApp();
    okta = await createScimTenant(gateway, 'okta-groups');
    ann = await createUser(okta, 'ann@okta.local', 'Ann Example');
    bob = await createUser(okta, 'bob@okta.local', 'Bob Example');
    // No displayName: the member's display falls back to the userName.
    cid = await createUser(okta, 'cid@okta.local', null);
  });
  afterAll(() => gateway.close());

  it('answers the "does this group exist?" lookup on a tenant without groups with 200 and an empty list', async () => {
    const response = await okta.send('GET', lookupUrl);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe(SCIM_CONTENT_TYPE);
    expect(response.body).toEqual(fixture('okta/empty-list-response'));
  });

  it('creates the group with an empty members list: 201, no members key, ETag and Location', async () => {
    const response = await okta.send('POST', '/scim/v2/Groups', fixture('okta/create-group'), {
      'content-type': 'application/json',
    });
    expect(response.status).toBe(201);
    expect(response.headers['content-type']).toBe(SCIM_CONTENT_TYPE);
    expect(response.body.id).toMatch(UUID);
    group = response.body;
    expect(group).toEqual({
      schemas: [GROUP_SCHEMA],
      id: group.id,
      displayName: 'Test SCIMv2',
      meta: expectedGroupMeta(group.id, 'W/"1"'),
    });
    expect(response.headers.etag).toBe('W/"1"');
    expect(response.headers.location).toBe(`${SCIM_BASE_URL}/Groups/${group.id}`);
    expect(await newEvents()).toEqual([groupEvent(okta, 'group.created', group, 1)]);
  });

  it.each([
    ['encoded', lookupUrl],
    ['with + for spaces', '/scim/v2/Groups?filter=displayName+eq+%22Test+SCIMv2%22&startIndex=1&count=100'],
    ['unencoded', '/scim/v2/Groups?filter=displayName eq "Test SCIMv2"&startIndex=1&count=100'],
    ['in another case', groupsQuery({ filter: 'displayName eq "test scimv2"', startIndex: 1, count: 100 })],
  ])('finds the group by the lookup filter (%s)', async (_form, url) => {
    const response = await okta.send('GET', url);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ totalResults: 1, startIndex: 1, itemsPerPage: 1 });
    expect(response.body.Resources).toEqual([group]);
  });

  it('refuses a second group of the same name, in any case, with 409 uniqueness', async () => {
    const before = await eventCount(gateway.db);
    const response = await okta.send('POST', '/scim/v2/Groups', {
      ...fixture('okta/create-group'),
      displayName: 'TEST scimv2',
    });
    expectScimError(response, 409, 'uniqueness');
    expect(await eventCount(gateway.db)).toBe(before);
    expect((await okta.send('GET', '/scim/v2/Groups')).body.totalResults).toBe(1);
  });

  it('reads the group with excludedAttributes=members', async () => {
    const response = await okta.send('GET', `/scim/v2/Groups/${group.id}?excludedAttributes=members`);
    expect(response.status).toBe(200);
    expect(response.headers.etag).toBe('W/"1"');
    expect(response.body).toEqual(group);
  });

  it('adds a member with "add" path members: 204 with an ETag, one group.member_added', async () => {
    const response = await patch(fixture('okta/patch-group-add-member', { userId: ann.id }));
    expect(response.status).toBe(204);
    expect(response.body).toBeUndefined();
    expect(response.headers.etag).toBe('W/"2"');
    group = await getGroup(okta, group.id);
    // Okta's "display": "user@x" is not stored: display is the user's own name.
    expect(group).toEqual({
      schemas: [GROUP_SCHEMA],
      id: group.id,
      displayName: 'Test SCIMv2',
      members: membersOf(ann),
      meta: expectedGroupMeta(group.id, 'W/"2"'),
    });
    expect(await newEvents()).toEqual([membershipEvent(okta, 'group.member_added', group, ann.id, 2)]);
  });

  it('keeps one membership when the same member is added again, with no event and no new version', async () => {
    const response = await patch(fixture('okta/patch-group-add-member', { userId: ann.id }));
    expect(response.status).toBe(204);
    expect(response.headers.etag).toBe('W/"2"');
    expect(await membershipRows(gateway.db, group.id)).toEqual([ann.id]);
    expect(await newEvents()).toEqual([]);
    expect((await getGroup(okta, group.id)).meta.version).toBe('W/"2"');
  });

  it('adds two members in one PATCH: one event each', async () => {
    const body = fixture('okta/group-add-members', {
      userId1: bob.id,
      display1: bob.userName,
      userId2: cid.id,
      display2: cid.userName,
    });
    expect((await patch(body)).status).toBe(204);
    group = await getGroup(okta, group.id);
    expect(sortMembers(group.members)).toEqual(membersOf(ann, bob, cid));
    expect(group.members.find((member: { value: string }) => member.value === cid.id).display).toBe('cid@okta.local');
    expect(group.meta.version).toBe('W/"3"');
    expectMembershipEvents(await newEvents(), okta, 'group.member_added', group, [bob.id, cid.id], 3);
  });

  it('lists the group among each member’s read-only groups', async () => {
    for (const user of [ann, bob, cid]) {
      const response = await okta.send('GET', `/scim/v2/Users/${user.id}`);
      expect(response.body.groups).toEqual([
        { value: group.id, display: 'Test SCIMv2', $ref: `${SCIM_BASE_URL}/Groups/${group.id}`, type: 'direct' },
      ]);
    }
  });

  it('renames the group with a path-less replace of {id, displayName}, leaving the members alone', async () => {
    const response = await patch(fixture('okta/patch-group-rename', { id: group.id }));
    expect(response.status).toBe(204);
    expect(response.headers.etag).toBe('W/"4"');
    const renamed = await getGroup(okta, group.id);
    expect(renamed).toEqual({
      ...group,
      displayName: 'Test SCIMv2 renamed',
      meta: { ...group.meta, version: 'W/"4"', lastModified: expect.any(String) },
    });
    expect(sortMembers(renamed.members)).toEqual(membersOf(ann, bob, cid));
    group = renamed;
    const { members: _members, ...withoutMembers } = renamed;
    expect(await newEvents()).toEqual([groupEvent(okta, 'group.updated', withoutMembers, 5)]);
    // The lookups follow the name.
    expect((await okta.send('GET', lookupUrl)).body.totalResults).toBe(0);
    const byNewName = await okta.send('GET', groupsQuery({ filter: 'displayName eq "Test SCIMv2 renamed"' }));
    expect(byNewName.body.Resources.map((found: { id: string }) => found.id)).toEqual([group.id]);
    // And so do the members' groups.
    expect((await okta.send('GET', `/scim/v2/Users/${ann.id}`)).body.groups[0].display).toBe('Test SCIMv2 renamed');
  });

  it('refuses a rename that names another id with 400 mutability, changing nothing', async () => {
    const before = await snapshot(gateway.db, group.id);
    const body = fixture('okta/patch-group-rename', { id: '0f8fad5b-d9cb-469f-a165-70867728950e' });
    expectScimError(await patch(body), 400, 'mutability');
    expect(await snapshot(gateway.db, group.id)).toEqual(before);
  });

  it('removes one member with path members[value eq "…"]; the others stay', async () => {
    const response = await patch(fixture('okta/patch-group-remove-member', { userId: bob.id }));
    expect(response.status).toBe(204);
    expect(response.headers.etag).toBe('W/"5"');
    group = await getGroup(okta, group.id);
    expect(sortMembers(group.members)).toEqual(membersOf(ann, cid));
    expect(await newEvents()).toEqual([membershipEvent(okta, 'group.member_removed', group, bob.id, 6)]);
    // The user stays, without the group.
    const bobNow = await okta.send('GET', `/scim/v2/Users/${bob.id}`);
    expect(bobNow.status).toBe(200);
    expect(bobNow.body).not.toHaveProperty('groups');
  });

  it('answers the removal of a user who is no longer a member with 204 and changes nothing', async () => {
    const before = await snapshot(gateway.db, group.id);
    const response = await patch(fixture('okta/patch-group-remove-member', { userId: bob.id }));
    expect(response.status).toBe(204);
    expect(await snapshot(gateway.db, group.id)).toEqual(before);
  });

  it('deletes the group: 204, then 404; the users stay and lose the group', async () => {
    const response = await okta.send('DELETE', `/scim/v2/Groups/${group.id}`);
    expect(response.status).toBe(204);
    expect(response.body).toBeUndefined();
    expectScimError(await okta.send('GET', `/scim/v2/Groups/${group.id}`), 404);
    expectScimError(await okta.send('GET', `/scim/v2/Groups/${group.id}?excludedAttributes=members`), 404);
    expectScimError(await okta.send('DELETE', `/scim/v2/Groups/${group.id}`), 404);
    expect(await membershipRows(gateway.db, group.id)).toEqual([]);
    for (const user of [ann, bob, cid]) {
      const read = await okta.send('GET', `/scim/v2/Users/${user.id}`);
      expect(read.status).toBe(200);
      expect(read.body).not.toHaveProperty('groups');
    }
    const { members: _members, ...withoutMembers } = group;
    expect(await newEvents()).toEqual([
      groupEvent(okta, 'group.deleted', { ...withoutMembers, meta: expect.objectContaining({ version: 'W/"5"' }) }, 7),
    ]);
    const lookup = await okta.send(
      'GET',
      groupsQuery({ filter: 'displayName eq "Test SCIMv2 renamed"', startIndex: 1, count: 100 }),
    );
    expect(lookup.body).toEqual(fixture('okta/empty-list-response'));
  });

  it('pushes the group again under the old name after the delete', async () => {
    const response = await okta.send('POST', '/scim/v2/Groups', fixture('okta/create-group'));
    expect(response.status).toBe(201);
    expect(response.body.id).not.toBe(group.id);
  });

  it('never answered 5xx', () => {
    expect(serverErrors).toEqual([]);
  });
});
