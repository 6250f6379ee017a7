import { DataSource } from 'typeorm';
import { IdentityEvent, dataSourceOptions } from '@app/identity';
import { DirectoryPage, DirectoryService } from '@app/identity/directory/directory.service';
import { DirectoryRepository } from '@app/identity/directory/directory.repository';
import { DirectoryUser } from '@app/identity/directory/directory.views';
import { DirectoryPageQuery, UserFilters, parsePageQuery } from '@app/identity/directory/directory-query';
import { EventsFeedRepository } from '@app/identity/events-feed/events-feed.repository';
import { EventsFeedService } from '@app/identity/events-feed/events-feed.service';
import { decodeFeedCursor } from '@app/identity/events-feed/feed-cursor';
import { FeedNotifications } from '@app/identity/events-feed/feed-notifications';
import { FeedStamper } from '@app/identity/events-feed/feed-stamper';
import { ReaderAccess, ReaderScopes } from '@app/identity/events-feed/reader-scope';
import { ScimTenant, USER_SCHEMA, PATCH_OP_SCHEMA, createScimTenant, startScimApp } from '../support/scim-client';
import { GROUP_SCHEMA, createGroup, createUser } from '../support/scim-groups-client';
import { TestApp } from '../support/test-app';

const EVERY_TENANT: ReaderAccess = { clientId: 'test', tenants: ['*'] };
const NO_FILTERS: UserFilters = { active: undefined, updatedSince: undefined, email: undefined };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A page request of `listing`, read as the controller reads `?tenant&cursor&limit` (the cursor bound to both). */
const pageQuery = (
  listing: string,
  tenant: string | undefined,
  cursor: string | null | undefined,
  limit: number,
  filters?: UserFilters,
): DirectoryPageQuery =>
  parsePageQuery({ tenant, cursor: cursor ?? undefined, limit: String(limit) }, listing, filters);

describe('the directory (service, real PostgreSQL)', () => {
  let gateway: TestApp;
  let acme: ScimTenant;
  let globex: ScimTenant;
  let dataSource: DataSource;
  let directory: DirectoryService;
  let feed: EventsFeedService;
  let stamper: FeedStamper;
  let notifications: FeedNotifications;
  const initial: string[] = [];

  /** Every page of a users listing; returns the users in order and the first page's eventsCursor. */
  const listUsers = async (tenant: string | undefined, limit: number, filters = NO_FILTERS, access = EVERY_TENANT) => {
    const users: DirectoryUser[] = [];
    let page: DirectoryPage<DirectoryUser> | undefined;
    let eventsCursor: string | undefined;
    do {
      page = await directory.users(access, pageQuery('users', tenant, page?.nextCursor, limit, filters), filters);
      eventsCursor ??= page.eventsCursor;
      expect(page.eventsCursor).toBe(eventsCursor); // every page hands back the first page's position
      users.push(...page.data);
    } while (page.nextCursor);
    return { users, eventsCursor: eventsCursor };
  };

  /** One writer's changes: deactivations and reactivations, renames, new users, and deletions of its own new users. */
  const changeUsers = async (tenant: ScimTenant, pool: string[], until: () => boolean, writer: number) => {
    const own: string[] = [];
    for (let i = 0; !until(); i++) {
      const target = pool[(writer * 31 + i * 17) % pool.length];
      switch (i % 4) {
        case 0:
          await tenant.send('PATCH', `/scim/v2/Users/${target}`, {
            schemas: [PATCH_OP_SCHEMA],
            Operations: [{ op: 'replace', path: 'active', value: i % 8 === 0 }],
          });
          break;
        case 1:
          await tenant.send('PATCH', `/scim/v2/Users/${target}`, {
            schemas: [PATCH_OP_SCHEMA],
            Operations: [{ op: 'replace', path: 'name.givenName', value: `Name${writer}-${i}` }],
          });
          break;
        case 2:
          own.push((await createUser(tenant, `new-${writer}-${i}@${tenant.slug}.test`)).id);
          break;
        default:
          if (own.length > 0) await tenant.send('DELETE', `/scim/v2/Users/${own.shift()}`);
      }
    }
  };

  beforeAll(async () => {
    gateway = await startScimApp();
    acme = await createScimTenant(gateway, 'acme');
    globex = await createScimTenant(gateway, 'globex');
    for (let batch = 0; batch < 20; batch++) {
      const created = await Promise.all(
        Array.from({ length: 10 }, (_, i) => createUser(acme, `user${batch * 10 + i}@acme.test`)),
      );
      initial.push(...created.map((user) => user.id));
    }
    await createUser(globex, 'someone@globex.test');
    dataSource = await new DataSource(dataSourceOptions(gateway.db.url)).initialize();
    const scopes = new ReaderScopes(dataSource);
    const feedRepository = new EventsFeedRepository(dataSource);
    directory = new DirectoryService(dataSource, new DirectoryRepository(), feedRepository, scopes);
    notifications = new FeedNotifications({ databaseUrl: gateway.db.url });
    feed = new EventsFeedService(feedRepository, scopes, notifications);
    stamper = new FeedStamper(dataSource);
    await stamper.stampAll();
  });
  afterAll(async () => {
    await notifications.onApplicationShutdown();
    await dataSource.destroy();
    await gateway.close();
  });

  it('pages every user exactly once while writers change, add and delete users', async () => {
    let done = false;
    const writers = Promise.all([0, 1, 2].map((w) => changeUsers(acme, initial, () => done, w)));
    await sleep(200);
    const { users } = await listUsers('acme', 13);
    done = true;
    await writers;

    const ids = users.map((user) => user.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort());
    for (const id of initial) expect(ids.filter((listed) => listed === id)).toHaveLength(1);
    expect(users.every((user) => user.tenant === 'acme')).toBe(true);
  });

  it('hands off to the feed at eventsCursor: listing, then following the feed, ends at the state of the database', async () => {
    let done = false;
    const writers = Promise.all([0, 1, 2, 3].map((w) => changeUsers(acme, initial, () => done, w + 10)));
    // The first page races the writers' commits.
    await sleep(150);
    const { users, eventsCursor } = await listUsers('acme', 50);
    await sleep(300);
    done = true;
    await writers;
    await stamper.stampAll();

    // A product's state: the listing, then each event of the feed after eventsCursor, stale ones dropped.
    const state = new Map(users.map((user) => [user.id, { sequence: user.sequence, active: user.active }]));
    const events: IdentityEvent[] = [];
    let after = decodeFeedCursor(eventsCursor);
    for (;;) {
      const { page } = await feed.read(EVERY_TENANT, {
        after,
        types: undefined,
        tenant: 'acme',
        limit: 200,
        waitSeconds: 0,
      });
      events.push(...page.data);
      after = decodeFeedCursor(page.nextCursor);
      if (!page.hasMore) break;
    }
    for (const event of events.filter((e) => e.subject.type === 'user')) {
      const known = state.get(event.subject.id);
      if (known && event.sequence <= known.sequence) continue; // stale: the listing already had it
      if (event.type === 'user.deleted') state.delete(event.subject.id);
      else state.set(event.subject.id, { sequence: event.sequence, active: event.data.active !== false });
    }
    expect(events.length).toBeGreaterThan(0);

    const truth = await gateway.db.query<{ id: string; active: boolean; sequence: string }>(
      `SELECT u.id, u.active, s.last_sequence::text AS sequence FROM users u
       JOIN tenants t ON t.id = u.tenant_id AND t.slug = 'acme'
       JOIN outbox_subject_sequences s ON s.subject_type = 'user' AND s.subject_id = u.id::text`,
    );
    expect(new Map([...state].sort(([a], [b]) => a.localeCompare(b)))).toEqual(
      new Map(
        truth
          .sort((a, b) => a.id.localeCompare(b.id))
          .map((row) => [row.id, { sequence: Number(row.sequence), active: row.active }]),
      ),
    );
  });

  it('filters users by active, email and updatedSince', async () => {
    const target = initial[0];
    await acme.send('PATCH', `/scim/v2/Users/${target}`, {
      schemas: [PATCH_OP_SCHEMA],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    });
    const inactive = (await listUsers('acme', 500, { ...NO_FILTERS, active: false })).users;
    expect(inactive.map((user) => user.id)).toContain(target);
    expect(inactive.every((user) => !user.active)).toBe(true);
    const active = (await listUsers('acme', 500, { ...NO_FILTERS, active: true })).users;
    expect(active.every((user) => user.active)).toBe(true);
    expect(active.length + inactive.length).toBe((await listUsers('acme', 500)).users.length);

    const created = await acme.send('POST', '/scim/v2/Users', {
      schemas: [USER_SCHEMA],
      userName: 'carla',
      emails: [{ value: 'Carla.Diaz@Acme.test', primary: true }],
      name: { givenName: 'Carla', familyName: 'Diaz' },
    });
    const byEmail = (await listUsers('acme', 10, { ...NO_FILTERS, email: 'carla.diaz@acme.TEST'.toLowerCase() })).users;
    expect(byEmail).toEqual([
      expect.objectContaining({
        id: created.body.id,
        email: 'Carla.Diaz@Acme.test',
        name: { givenName: 'Carla', familyName: 'Diaz', formatted: 'Carla Diaz' },
      }),
    ]);
    const since = new Date(Date.parse(created.body.meta.lastModified));
    const recent = (await listUsers('acme', 10, { ...NO_FILTERS, updatedSince: since })).users;
    expect(recent.map((user) => user.id)).toContain(created.body.id);
    expect(recent.every((user) => Date.parse(user.updatedAt) >= since.getTime())).toBe(true);
    expect(await directory.user(EVERY_TENANT, created.body.id)).toEqual(byEmail[0]);
  });

  it('pages a large group’s members and a user’s groups, never inlining members', async () => {
    const members = initial.slice(0, 120);
    const group = await createGroup(acme, { displayName: 'Everyone', members: members.map((value) => ({ value })) });
    const other = await createGroup(acme, { displayName: 'Few', members: [{ value: members[0] }] });

    const groups = await directory.groups(EVERY_TENANT, pageQuery('groups', 'acme', undefined, 500));
    expect(groups.data.find((g) => g.id === group.id)).toEqual(
      expect.objectContaining({ displayName: 'Everyone', memberCount: 120, tenant: 'acme' }),
    );
    expect(groups.data.find((g) => g.id === group.id)).not.toHaveProperty('members');

    const listed: string[] = [];
    let cursor: string | null = null;
    do {
      const page: DirectoryPage<DirectoryUser> = await directory.members(
        EVERY_TENANT,
        group.id,
        pageQuery(`members:${group.id}`, undefined, cursor, 50),
      );
      expect(page.data.length).toBeLessThanOrEqual(50);
      listed.push(...page.data.map((user) => user.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(listed).toEqual([...members].sort());

    const ofUser = await directory.groupsOf(
      EVERY_TENANT,
      members[0],
      pageQuery(`groups-of:${members[0]}`, undefined, undefined, 1),
    );
    expect(ofUser.data).toHaveLength(1);
    const rest = await directory.groupsOf(
      EVERY_TENANT,
      members[0],
      pageQuery(`groups-of:${members[0]}`, undefined, ofUser.nextCursor, 1),
    );
    expect([...ofUser.data, ...rest.data].map((g) => g.id).sort()).toEqual([group.id, other.id].sort());
    expect(rest.nextCursor).toBeNull();
  });

  it('shows a client only the tenants its registration allows', async () => {
    const acmeOnly: ReaderAccess = { clientId: 'acme-only', tenants: ['acme'] };
    const all = (await listUsers(undefined, 500, NO_FILTERS, acmeOnly)).users;
    expect(all.length).toBeGreaterThan(0);
    expect(all.every((user) => user.tenant === 'acme')).toBe(true);
    await expect(
      directory.users(acmeOnly, pageQuery('users', 'globex', undefined, 10), NO_FILTERS),
    ).rejects.toMatchObject({ code: 'forbidden' });
    const [globexUser] = (await listUsers('globex', 10)).users;
    await expect(directory.user(acmeOnly, globexUser.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(directory.user(EVERY_TENANT, 'not-a-uuid')).rejects.toMatchObject({ code: 'not_found' });
    await expect(
      directory.members(acmeOnly, globexUser.id, pageQuery(`members:${globexUser.id}`, undefined, undefined, 10)),
    ).rejects.toMatchObject({ code: 'not_found' });
  });

  it('keeps memberCount exact through every kind of membership change, concurrent ones too', async () => {
    const initech = await createScimTenant(gateway, 'initech');
    const users: string[] = [];
    for (let i = 0; i < 40; i++) users.push((await createUser(initech, `m${i}@initech.test`)).id);
    const members = (from: number, to: number) => users.slice(from, to).map((value) => ({ value }));
    const patch = (id: string, Operations: unknown[]) =>
      initech.send('PATCH', `/scim/v2/Groups/${id}`, { schemas: [PATCH_OP_SCHEMA], Operations });
    const a = await createGroup(initech, { displayName: 'A', members: members(0, 20) });
    const b = await createGroup(initech, { displayName: 'B', members: members(10, 30) });
    const c = await createGroup(initech, { displayName: 'C' });
    const d = await createGroup(initech, { displayName: 'D', members: members(30, 36) });
    const counts = async () =>
      gateway.db.query<{ id: string; stored: number; counted: number }>(
        `SELECT g.id, g.member_count AS stored, (SELECT count(*)::int FROM group_members m WHERE m.group_id = g.id) AS counted
         FROM groups g JOIN tenants t ON t.id = g.tenant_id AND t.slug = 'initech' ORDER BY g.id`,
      );
    expect((await counts()).map((row) => row.stored).sort((x, y) => x - y)).toEqual([0, 6, 20, 20]);

    // Additions (one operation of many values, many operations of one), removals, a replacement, deletions of
    // members (their memberships go by cascade) and of a group, no-ops — all at once.
    const responses = await Promise.all([
      patch(a.id, [{ op: 'add', path: 'members', value: members(20, 30) }]),
      patch(
        a.id,
        [0, 1, 2, 3, 4].map((i) => ({ op: 'remove', path: `members[value eq "${users[i]}"]` })),
      ),
      patch(a.id, [{ op: 'add', path: 'members', value: members(6, 8) }]), // already members
      initech.send('PUT', `/scim/v2/Groups/${b.id}`, {
        schemas: [GROUP_SCHEMA],
        displayName: 'B',
        members: members(25, 40),
      }),
      patch(b.id, [{ op: 'remove', path: `members[value eq "${users[0]}"]` }]), // not a member
      patch(
        c.id,
        members(30, 40).map((member) => ({ op: 'add', path: 'members', value: [member] })),
      ),
      ...[5, 12, 17].map((i) => initech.send('DELETE', `/scim/v2/Users/${users[i]}`)),
      initech.send('DELETE', `/scim/v2/Groups/${d.id}`),
    ]);
    expect(responses.map((response) => response.status).filter((status) => status >= 300)).toEqual([]);

    // A refused change changes nothing.
    const before = await counts();
    const refused = await patch(a.id, [
      { op: 'add', path: 'members', value: [{ value: users[39] }, { value: '00000000-0000-4000-8000-000000000000' }] },
    ]);
    expect(refused.status).toBe(400);
    const after = await counts();
    expect(after).toEqual(before);
    expect(after.every((row) => row.stored === row.counted)).toBe(true);
    expect(after.map((row) => row.counted).sort((x, y) => x - y)).toEqual([10, 15, 22]); // A: 20 - 5 + 10 - 3 removed users; B, C

    const listed = await directory.groups(EVERY_TENANT, pageQuery('groups', 'initech', undefined, 10));
    expect(Object.fromEntries(listed.data.map((group) => [group.id, group.memberCount]))).toEqual(
      Object.fromEntries(after.map((row) => [row.id, row.counted])),
    );
  });

  it('pages a 50,000-member group in bounded pages, each member once', async () => {
    const [{ id: groupId }] = await gateway.db.query<{ id: string }>(
      `INSERT INTO groups (tenant_id, display_name, resource)
       SELECT id, 'Everyone at scale', '{}'::jsonb FROM tenants WHERE slug = 'globex' RETURNING id`,
    );
    await gateway.db.query(
      `WITH t AS (SELECT id FROM tenants WHERE slug = 'globex'),
       u AS (
         INSERT INTO users (tenant_id, user_name, resource)
         SELECT t.id, 'member' || n || '@globex.test', '{}'::jsonb FROM t, generate_series(1, 50000) AS n
         RETURNING tenant_id, id
       )
       INSERT INTO group_members (tenant_id, group_id, user_id) SELECT u.tenant_id, $1, u.id FROM u`,
      [groupId],
    );
    // What autovacuum does after a bulk load, at once: the planner then knows the tables' sizes.
    await gateway.db.query(`ANALYZE users`);
    await gateway.db.query(`ANALYZE group_members`);
    const [group] = (await directory.groups(EVERY_TENANT, pageQuery('groups', 'globex', undefined, 10))).data;
    expect(group).toMatchObject({ id: groupId, memberCount: 50000 });

    const seen = new Set<string>();
    let pages = 0;
    let cursor: string | null = null;
    do {
      const page: DirectoryPage<DirectoryUser> = await directory.members(
        EVERY_TENANT,
        groupId,
        pageQuery(`members:${groupId}`, undefined, cursor, 500),
      );
      expect(page.data.length).toBeLessThanOrEqual(500);
      for (const user of page.data) seen.add(user.id);
      pages += 1;
      cursor = page.nextCursor;
    } while (cursor);
    expect(pages).toBe(100);
    expect(seen.size).toBe(50000);
  });
});
