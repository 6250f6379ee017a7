import { DataSource } from 'typeorm';
import { UserActiveStored1764800000000 } from '../../libs/identity/src/database/migrations/1764800000000-user-active-stored';
import { TestApp } from '../support/test-app';
import {
  ScimTenant,
  USER_SCHEMA,
  createScimTenant,
  events,
  expectScimError,
  patchOp,
  serverErrors,
  startScimApp,
  usersQuery,
} from '../support/scim-client';

/**
 * `active` is always assigned on a stored user, and every way of changing it
 * (PATCH replace/add/remove, PUT) agrees with storage, responses, filters and
 * events: a user created without it is active; a PUT that omits it keeps the
 * state; a PATCH that removes it deactivates (see withActive in user-resource.ts).
 */
describe('SCIM /Users: active, stored and shown consistently', () => {
  let gateway: TestApp;
  let tenant: ScimTenant;

  beforeAll(async () => {
    gateway = await startScimApp();
    tenant = await createScimTenant(gateway, 'active-rules');
  });
  afterAll(() => gateway.close());

  const typesOf = async (id: string): Promise<string[]> => (await events(gateway.db, id)).map((event) => event.type);
  const get = async (id: string): Promise<any> => {
    const response = await tenant.send('GET', `/scim/v2/Users/${id}`);
    expect(response.status).toBe(200);
    return response.body;
  };
  const create = async (userName: string, extra: Record<string, unknown> = {}): Promise<any> => {
    const response = await tenant.send('POST', '/scim/v2/Users', { schemas: [USER_SCHEMA], userName, ...extra });
    expect(response.status).toBe(201);
    return response.body;
  };
  const patch = async (id: string, ...operations: Record<string, unknown>[]): Promise<any> => {
    const response = await tenant.send('PATCH', `/scim/v2/Users/${id}`, patchOp(...operations));
    expect(response.status).toBe(200);
    return response.body;
  };
  const idsMatching = async (filter: string): Promise<string[]> => {
    const response = await tenant.send('GET', usersQuery({ filter, count: 200 }));
    expect(response.status).toBe(200);
    return (response.body.Resources as { id: string }[]).map((user) => user.id);
  };
  const storedActive = async (id: string): Promise<{ column: boolean; document: unknown }> => {
    const [row] = await gateway.db.query<{ active: boolean; document: unknown }>(
      `SELECT active, resource -> 'active' AS document FROM users WHERE id = $1`,
      [id],
    );
    return { column: row.active, document: row.document };
  };

  it('creates a user sent without active as active: stored, shown, filtered and recorded so', async () => {
    const user = await create('no-active@x.test');
    expect(user.active).toBe(true);
    expect((await get(user.id)).active).toBe(true);
    expect(await storedActive(user.id)).toEqual({ column: true, document: true });
    expect(await idsMatching('active pr')).toContain(user.id);
    expect(await idsMatching('active eq true')).toContain(user.id);
    expect(await idsMatching('active eq false')).not.toContain(user.id);
    const [created] = await events(gateway.db, user.id);
    expect(created.data).toMatchObject({ active: true });
  });

  it('creates a user sent with active null as active (null is unassigned, RFC 7643 §2.5)', async () => {
    expect((await create('null-active@x.test', { active: null })).active).toBe(true);
  });

  it('answers replace and add of active true on such a user as no change: same version, no event', async () => {
    const user = await create('already-active@x.test');
    const replaced = await patch(user.id, { op: 'replace', path: 'active', value: true });
    const added = await patch(user.id, { op: 'add', value: { active: true } });
    const put = await tenant.send('PUT', `/scim/v2/Users/${user.id}`, {
      schemas: [USER_SCHEMA],
      userName: 'already-active@x.test',
      active: true,
    });
    for (const body of [replaced, added, put.body]) {
      expect(body.active).toBe(true);
      expect(body.meta.version).toBe(user.meta.version);
    }
    expect(await typesOf(user.id)).toEqual(['user.created']);
  });

  it('deactivates and reactivates with PATCH replace and add: each bumps the version and records its event', async () => {
    const user = await create('toggle@x.test');
    const off = await patch(user.id, { op: 'replace', path: 'active', value: false });
    expect(off.active).toBe(false);
    expect(off.meta.version).not.toBe(user.meta.version);
    expect(await storedActive(user.id)).toEqual({ column: false, document: false });
    expect(await idsMatching('active eq false')).toContain(user.id);
    expect(await idsMatching('active pr')).toContain(user.id);

    const on = await patch(user.id, { op: 'add', path: 'active', value: true });
    expect(on.active).toBe(true);
    expect(on.meta.version).not.toBe(off.meta.version);
    expect(await typesOf(user.id)).toEqual(['user.created', 'user.deactivated', 'user.reactivated']);
  });

  it('deactivates on PATCH remove of active (the assertion is withdrawn), with a new version and user.deactivated', async () => {
    const user = await create('removed@x.test');
    const removed = await patch(user.id, { op: 'remove', path: 'active' });
    expect(removed.active).toBe(false);
    expect(removed.meta.version).not.toBe(user.meta.version);
    expect(await get(user.id)).toEqual(removed);
    expect(await storedActive(user.id)).toEqual({ column: false, document: false });
    expect(await idsMatching('active eq true')).not.toContain(user.id);
    expect(await idsMatching('active eq false')).toContain(user.id);
    const recorded = await events(gateway.db, user.id);
    expect(recorded.map((event) => event.type)).toEqual(['user.created', 'user.deactivated']);
    expect(recorded[1].data).toMatchObject({ active: false });

    // Removing it again changes nothing: same version, no event.
    const again = await patch(user.id, { op: 'remove', path: 'active' });
    expect(again.meta.version).toBe(removed.meta.version);
    expect(await typesOf(user.id)).toEqual(['user.created', 'user.deactivated']);
  });

  it('deactivates on PATCH replace of active with null, path or no path', async () => {
    const first = await create('null-path@x.test');
    expect((await patch(first.id, { op: 'replace', path: 'active', value: null })).active).toBe(false);
    const second = await create('null-value@x.test');
    expect((await patch(second.id, { op: 'replace', value: { active: null } })).active).toBe(false);
    expect(await typesOf(second.id)).toEqual(['user.created', 'user.deactivated']);
  });

  it('keeps the state on a PUT that omits active, and records only the profile change', async () => {
    const user = await create('put-keeps@x.test', { displayName: 'Before' });
    await patch(user.id, { op: 'replace', path: 'active', value: false });
    const put = await tenant.send('PUT', `/scim/v2/Users/${user.id}`, {
      schemas: [USER_SCHEMA],
      userName: 'put-keeps@x.test',
      displayName: 'After',
    });
    expect(put.status).toBe(200);
    expect(put.body.active).toBe(false);
    expect(await typesOf(user.id)).toEqual(['user.created', 'user.deactivated', 'user.updated']);

    const reactivated = await tenant.send('PUT', `/scim/v2/Users/${user.id}`, {
      schemas: [USER_SCHEMA],
      userName: 'put-keeps@x.test',
      displayName: 'After',
      active: true,
    });
    expect(reactivated.body.active).toBe(true);
    expect(reactivated.body.meta.version).not.toBe(put.body.meta.version);
    expect(await typesOf(user.id)).toEqual(['user.created', 'user.deactivated', 'user.updated', 'user.reactivated']);
  });

  it.each([
    ['PATCH replace with a non-boolean', 'PATCH', patchOp({ op: 'replace', path: 'active', value: 'maybe' })],
    ['PATCH replace with a number', 'PATCH', patchOp({ op: 'replace', value: { active: 1 } })],
    ['PUT with an object', 'PUT', { schemas: [USER_SCHEMA], userName: 'bad-input@x.test', active: { yes: true } }],
  ] as const)('refuses %s with invalidValue and changes nothing', async (_case, method, body) => {
    const user = await create(`bad-${method.toLowerCase()}-${_case.length}@x.test`);
    const response = await tenant.send(method, `/scim/v2/Users/${user.id}`, body);
    expectScimError(response, 400, 'invalidValue');
    expect(await get(user.id)).toEqual(user);
    expect(await typesOf(user.id)).toEqual(['user.created']);
  });

  it('shows the column on a row stored before active was kept in the document, and the migration fills it in', async () => {
    const user = await create('legacy@x.test');
    const other = await create('legacy-off@x.test', { active: false });
    await gateway.db.query(`UPDATE users SET resource = resource - 'active' WHERE id = ANY($1::uuid[])`, [
      [user.id, other.id],
    ]);
    expect((await get(user.id)).active).toBe(true);
    expect((await get(other.id)).active).toBe(false);

    const runner = gateway.app.get(DataSource).createQueryRunner();
    try {
      await new UserActiveStored1764800000000().up(runner);
    } finally {
      await runner.release();
    }
    expect(await storedActive(user.id)).toEqual({ column: true, document: true });
    expect(await storedActive(other.id)).toEqual({ column: false, document: false });
    expect(await get(user.id)).toEqual(user);
  });

  it('never answered with a server error', () => {
    expect(serverErrors).toEqual([]);
  });
});
