import { IdentityEvent } from '@app/identity';
import { TestApp } from '../support/test-app';
import {
  SEARCH_REQUEST_SCHEMA,
  ScimResponse,
  ScimTenant,
  USER_SCHEMA,
  UUID,
  createScimTenant,
  eventCount,
  events,
  expectScimError,
  passwordHash,
  patchOp,
  serverErrors,
  startScimApp,
  usersQuery,
  withoutMeta,
} from '../support/scim-client';

describe('SCIM /Users: tenant isolation and lifecycle events', () => {
  let gateway: TestApp;
  let a: ScimTenant;
  let b: ScimTenant;

  const createUser = async (tenant: ScimTenant, body: Record<string, unknown>): Promise<any> => {
    const response = await tenant.send('POST', '/scim/v2/Users', { schemas: [USER_SCHEMA], ...body });
    expect(response.status).toBe(201);
    return response.body;
  };
  const ids = (response: ScimResponse): string[] => response.body.Resources.map((user: { id: string }) => user.id);

  beforeAll(async () => {
    gateway = await startScimApp();
    a = await createScimTenant(gateway, 'tenant-a');
    b = await createScimTenant(gateway, 'tenant-b');
  });
  afterAll(() => gateway.close());

  describe('tenant isolation', () => {
    let aUser: any;
    let bUser: any;

    beforeAll(async () => {
      aUser = await createUser(a, {
        userName: 'shared.name@corp.test',
        externalId: 'shared-ext',
        title: 'A title',
        emails: [{ value: 'shared.name@corp.test', type: 'work' }],
      });
    });

    it.each([
      ['GET', undefined],
      ['PUT', { schemas: [USER_SCHEMA], userName: 'shared.name@corp.test', title: 'Taken over' }],
      ['PATCH', patchOp({ op: 'replace', path: 'title', value: 'Taken over' })],
      ['DELETE', undefined],
    ] as const)('answers tenant B’s %s of tenant A’s user with 404, changing nothing', async (method, body) => {
      const before = await eventCount(gateway.db);
      expectScimError(await b.send(method, `/scim/v2/Users/${aUser.id}`, body), 404);
      expectScimError(await b.send(method, `/scim/v2/Users/${aUser.id}`, body, { 'if-match': '*' }), 404);
      expect((await a.send('GET', `/scim/v2/Users/${aUser.id}`)).body).toEqual(aUser);
      expect(await eventCount(gateway.db)).toBe(before);
    });

    it.each([
      'userName eq "shared.name@corp.test"',
      'externalId eq "shared-ext"',
      'emails.value eq "shared.name@corp.test"',
      'title eq "A title"',
      'userName pr',
      'id pr',
    ])('never shows tenant A’s users to tenant B (filter %s)', async (filter) => {
      const response = await b.send('GET', usersQuery({ filter }));
      expect(response.status).toBe(200);
      expect(ids(response)).not.toContain(aUser.id);
      expect(response.body.totalResults).toBe(response.body.Resources.length);
      const search = await b.send('POST', '/scim/v2/Users/.search', { schemas: [SEARCH_REQUEST_SCHEMA], filter });
      expect(search.status).toBe(200);
      expect(ids(search)).not.toContain(aUser.id);
    });

    it('never shows tenant A’s user by id filter to tenant B', async () => {
      const response = await b.send('GET', usersQuery({ filter: `id eq "${aUser.id}"` }));
      expect(response.body).toMatchObject({ totalResults: 0, Resources: [] });
    });

    it('lets tenant B create the same userName, under its own id', async () => {
      bUser = await createUser(b, { userName: 'SHARED.NAME@corp.test', externalId: 'shared-ext' });
      expect(bUser.id).not.toBe(aUser.id);
      const listA = await a.send('GET', '/scim/v2/Users');
      const listB = await b.send('GET', '/scim/v2/Users');
      expect(ids(listA)).toEqual([aUser.id]);
      expect(ids(listB)).toEqual([bUser.id]);
      expect(listB.body.totalResults).toBe(1);
      const [created] = await events(gateway.db, bUser.id);
      expect(created.tenant).toEqual({ id: b.id, slug: b.slug });
      expect((await events(gateway.db, aUser.id))[0].tenant).toEqual({ id: a.id, slug: a.slug });
    });

    it('still refuses the userName twice within tenant A', async () => {
      expectScimError(
        await a.send('POST', '/scim/v2/Users', { schemas: [USER_SCHEMA], userName: 'Shared.Name@Corp.Test' }),
        409,
        'uniqueness',
      );
    });

    it('keeps tenant B’s deletion of its own user from touching tenant A’s', async () => {
      expect((await b.send('DELETE', `/scim/v2/Users/${bUser.id}`)).status).toBe(204);
      expect((await a.send('GET', `/scim/v2/Users/${aUser.id}`)).body).toEqual(aUser);
      expect((await b.send('GET', '/scim/v2/Users')).body).toMatchObject({ totalResults: 0, Resources: [] });
    });
  });

  describe('lifecycle events', () => {
    let user: any;
    /** Events of the user seen so far. */
    let seen = 0;

    /** The events recorded since the last call. */
    const newEvents = async (): Promise<IdentityEvent[]> => {
      const all = await events(gateway.db, user.id);
      const added = all.slice(seen);
      seen = all.length;
      return added;
    };
    const change = async (method: 'PUT' | 'PATCH', body: unknown): Promise<ScimResponse> => {
      const response = await a.send(method, `/scim/v2/Users/${user.id}`, body);
      expect(response.status).toBe(200);
      user = response.body;
      return response;
    };
    /** The full event as subscribers receive it, `data` being the user after the change. */
    const expectEvent = (event: IdentityEvent, type: string, sequence: number): void => {
      expect(event).toEqual({
        id: expect.stringMatching(UUID),
        type,
        occurredAt: expect.any(String),
        tenant: { id: a.id, slug: a.slug },
        subject: { type: 'user', id: user.id },
        sequence,
        data: expect.any(Object),
        ...(type === 'user.updated' ? { previous: expect.any(Object) } : {}),
      });
      expect(Number.isNaN(Date.parse(event.occurredAt))).toBe(false);
      expect(withoutMeta(event.data)).toEqual(withoutMeta(user));
      expect(event.data).not.toHaveProperty('password');
    };

    it('records user.created on POST', async () => {
      user = await createUser(a, {
        userName: 'life@corp.test',
        displayName: 'Life Cycle',
        title: 'Starter',
        name: { givenName: 'Life', familyName: 'Cycle' },
        emails: [{ value: 'life@corp.test', type: 'work', primary: true }],
        active: true,
      });
      const [created, ...rest] = await newEvents();
      expect(rest).toEqual([]);
      expectEvent(created, 'user.created', 1);
      // Written in the same statement as the user, from the same id and time: its data is the user as answered.
      expect(created.data).toEqual(user);
      expect(created.occurredAt).toBe(user.meta.created);
    });

    it('records user.updated on a PATCH that changes attributes', async () => {
      await change('PATCH', patchOp({ op: 'replace', path: 'title', value: 'Senior' }));
      const added = await newEvents();
      expect(added.map((event) => event.type)).toEqual(['user.updated']);
      expectEvent(added[0], 'user.updated', 2);
      expect(added[0].data.title).toBe('Senior');
    });

    it('records only user.deactivated when active goes from true to false', async () => {
      await change('PATCH', patchOp({ op: 'replace', path: 'active', value: false }));
      const added = await newEvents();
      expect(added.map((event) => event.type)).toEqual(['user.deactivated']);
      expectEvent(added[0], 'user.deactivated', 3);
      expect(added[0].data.active).toBe(false);
    });

    it('records only user.reactivated when active goes from false to true', async () => {
      await change('PATCH', patchOp({ op: 'replace', value: { active: true } }));
      const added = await newEvents();
      expect(added.map((event) => event.type)).toEqual(['user.reactivated']);
      expectEvent(added[0], 'user.reactivated', 4);
    });

    it('records user.password_changed on a PATCH that sets the password, without the password or its hash', async () => {
      await change('PATCH', patchOp({ op: 'replace', path: 'password', value: 'Patch-Secret-42' }));
      const added = await newEvents();
      expect(added.map((event) => event.type)).toEqual(['user.password_changed']);
      expectEvent(added[0], 'user.password_changed', 5);
      expect(JSON.stringify(added[0])).not.toContain('Patch-Secret-42');
      expect(JSON.stringify(added[0])).not.toContain('$argon2');
      expect(await passwordHash(gateway.db, user.id)).toMatch(/^\$argon2id\$/);
    });

    it('records user.updated on a PUT that changes attributes', async () => {
      const { meta: _meta, id: _id, ...rest } = user;
      await change('PUT', { ...rest, title: 'Principal', nickName: 'Lifey' });
      const added = await newEvents();
      expect(added.map((event) => event.type)).toEqual(['user.updated']);
      expectEvent(added[0], 'user.updated', 6);
    });

    it('records user.password_changed on a PUT that sets the password, without the password or its hash', async () => {
      const { meta: _meta, id: _id, ...rest } = user;
      await change('PUT', { ...rest, password: 'Put-Secret-43' });
      const added = await newEvents();
      expect(added.map((event) => event.type)).toContain('user.password_changed');
      for (const [index, event] of added.entries()) expectEvent(event, event.type, 7 + index);
      expect(JSON.stringify(added)).not.toContain('Put-Secret-43');
      expect(JSON.stringify(added)).not.toContain('$argon2');
    });

    it('records only user.deactivated for a PUT that changes only active', async () => {
      const { meta: _meta, id: _id, ...rest } = user;
      const before = seen;
      await change('PUT', { ...rest, active: false });
      const added = await newEvents();
      expect(added.map((event) => event.type)).toEqual(['user.deactivated']);
      expectEvent(added[0], 'user.deactivated', before + 1);
    });

    it('records no event for refused requests (409, 400, 412, and another tenant’s 404)', async () => {
      const before = await eventCount(gateway.db);
      const other = await createUser(a, { userName: 'bystander@corp.test' });
      const afterCreate = await eventCount(gateway.db);
      expect(afterCreate).toBe(before + 1);
      const refused: ScimResponse[] = [
        await a.send('POST', '/scim/v2/Users', { schemas: [USER_SCHEMA], userName: 'LIFE@corp.test' }),
        await a.send('PUT', `/scim/v2/Users/${other.id}`, { schemas: [USER_SCHEMA], userName: 'life@corp.test' }),
        await a.send(
          'PATCH',
          `/scim/v2/Users/${user.id}`,
          patchOp({ op: 'replace', path: 'title', value: 'x' }, { op: 'remove', path: 'userName' }),
        ),
        await a.send('PATCH', `/scim/v2/Users/${user.id}`, patchOp({ op: 'replace', path: 'nonsense', value: 'x' })),
        await a.send('PATCH', `/scim/v2/Users/${user.id}`, patchOp({ op: 'replace', path: 'title', value: 'x' }), {
          'if-match': 'W/"stale-version"',
        }),
        await a.send('DELETE', `/scim/v2/Users/${user.id}`, undefined, { 'if-match': 'W/"stale-version"' }),
        await b.send('PATCH', `/scim/v2/Users/${user.id}`, patchOp({ op: 'replace', path: 'title', value: 'x' })),
        await b.send('DELETE', `/scim/v2/Users/${user.id}`),
      ];
      expect(refused.map((response) => response.status)).toEqual([409, 409, 400, 400, 412, 412, 404, 404]);
      expect(await eventCount(gateway.db)).toBe(afterCreate);
    });

    it('records user.deleted on DELETE, and numbers the user’s events 1, 2, 3, … without gaps', async () => {
      expect((await a.send('DELETE', `/scim/v2/Users/${user.id}`)).status).toBe(204);
      const added = await newEvents();
      expect(added.map((event) => event.type)).toEqual(['user.deleted']);
      expect(added[0]).toEqual(
        expect.objectContaining({
          type: 'user.deleted',
          tenant: { id: a.id, slug: a.slug },
          subject: { type: 'user', id: user.id },
          data: expect.objectContaining({ id: user.id }),
        }),
      );
      const all = await events(gateway.db, user.id);
      expect(all.map((event) => event.sequence)).toEqual(all.map((_, index) => index + 1));
      expect(new Set(all.map((event) => event.id)).size).toBe(all.length);
    });

    it('numbers each user’s events on its own, and keeps them gap-free under concurrent changes', async () => {
      const x = await createUser(a, { userName: 'seq-x@corp.test' });
      const y = await createUser(a, { userName: 'seq-y@corp.test' });
      await a.send('PATCH', `/scim/v2/Users/${x.id}`, patchOp({ op: 'add', path: 'title', value: 'x1' }));
      await a.send('PATCH', `/scim/v2/Users/${y.id}`, patchOp({ op: 'add', path: 'title', value: 'y1' }));
      const responses = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          a.send(
            'PATCH',
            `/scim/v2/Users/${x.id}`,
            patchOp({ op: 'replace', path: 'title', value: `x-concurrent-${i}` }),
          ),
        ),
      );
      expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
      const xEvents = await events(gateway.db, x.id);
      const yEvents = await events(gateway.db, y.id);
      expect(xEvents.map((event) => event.sequence)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(yEvents.map((event) => event.sequence)).toEqual([1, 2]);
      // The last event in sequence order describes the state that was committed last.
      const final = (await a.send('GET', `/scim/v2/Users/${x.id}`)).body;
      expect(xEvents[xEvents.length - 1].data.title).toBe(final.title);
      expect(new Set(responses.map((response) => response.body.meta.version)).size).toBe(5);
    });
  });

  describe('the password is stored only as an argon2id hash and appears nowhere else', () => {
    it('keeps every plaintext out of the users table and the outbox', async () => {
      const user = await createUser(a, { userName: 'secretive@corp.test', password: 'Create-Secret-44' });
      await a.send(
        'PATCH',
        `/scim/v2/Users/${user.id}`,
        patchOp({ op: 'replace', value: { password: 'Patch-Secret-45' } }),
      );
      expect(await passwordHash(gateway.db, user.id)).toMatch(/^\$argon2id\$/);
      const [tables] = await gateway.db.query<{ users: string; outbox: string }>(
        `SELECT (SELECT string_agg(resource::text, '') FROM users) AS users,
                (SELECT string_agg(payload::text, '') FROM outbox_events) AS outbox`,
      );
      for (const secret of ['Create-Secret-44', 'Patch-Secret-45', 'Patch-Secret-42', 'Put-Secret-43']) {
        expect(tables.users).not.toContain(secret);
        expect(tables.outbox).not.toContain(secret);
      }
      expect(tables.users).not.toContain('$argon2');
      expect(tables.outbox).not.toContain('$argon2');
      expect(tables.outbox).not.toMatch(/"password"/);
    });
  });

  it('never answered with a 5xx', () => {
    expect(serverErrors).toEqual([]);
  });
});
