import { TestApp } from '../support/test-app';
import {
  ScimTenant,
  WEAK_ETAG,
  createScimTenant,
  events,
  fixture,
  passwordHash,
  serverErrors,
  startScimApp,
  usersQuery,
} from '../support/scim-client';

/**
 * Okta's "SCIM 2.0 CRUD test" (Runscope/BlazeMeter): it drives an Okta org
 * (create a user, assign the app, change the first name, deactivate,
 * reactivate and reassign, unassign) and checks this server after each step.
 * Here each Okta action is the SCIM traffic Okta sends for it, followed by
 * the check the suite makes. The steps share one tenant and run in order.
 */
describe('Okta SCIM 2.0 CRUD test', () => {
  let gateway: TestApp;
  let okta: ScimTenant;
  let user: any;
  const login = 'crud.random.31e9@atko.email';
  const versions: string[] = [];

  const lookup = async (): Promise<any> => {
    const response = await okta.send(
      'GET',
      usersQuery({ filter: `userName eq "${login}"`, startIndex: 1, count: 100 }),
    );
    expect(response.status).toBe(200);
    return response.body;
  };
  /** The suite's "verify" steps read the user back from this server. */
  const verify = async (): Promise<any> => {
    const response = await okta.send('GET', `/scim/v2/Users/${user.id}`);
    expect(response.status).toBe(200);
    expect(response.headers.etag).toBe(response.body.meta.version);
    versions.push(response.body.meta.version);
    return response.body;
  };
  const typesOf = async (): Promise<string[]> => (await events(gateway.db, user.id)).map((event) => event.type);

  beforeAll(async () => {
    gateway = await startScimApp();
    okta = await createScimTenant(gateway, 'okta-crud');
  });
  afterAll(() => gateway.close());

  it('Assign the new user to the app: Okta looks the user up, then creates it', async () => {
    expect((await lookup()).totalResults).toBe(0);
    const response = await okta.send(
      'POST',
      '/scim/v2/Users',
      fixture('okta/crud-create-user', {
        login,
        firstName: 'Crud',
        lastName: 'Random',
        oktaUserId: '00u1crudrandom',
      }),
    );
    expect(response.status).toBe(201);
    user = response.body;
    expect(user).not.toHaveProperty('password');
    expect(await passwordHash(gateway.db, user.id)).toMatch(/^\$argon2id\$/);
  });

  it('Verify that the user was created on the SCIM server', async () => {
    const found = await lookup();
    expect(found.totalResults).toBe(1);
    expect(found.Resources[0]).toEqual(user);
    const shown = await verify();
    expect(shown).toMatchObject({ userName: login, active: true, externalId: '00u1crudrandom' });
    expect(shown.meta.version).toMatch(WEAK_ETAG);
  });

  it("Update the user's firstName in Okta: a PUT of the whole user as last read", async () => {
    const current = await verify();
    const response = await okta.send('PUT', `/scim/v2/Users/${user.id}`, {
      ...current,
      name: { ...current.name, givenName: 'Crudupdated' },
    });
    expect(response.status).toBe(200);
    expect(response.body.name.givenName).toBe('Crudupdated');
  });

  it('Verify the attribute was updated on the SCIM server', async () => {
    const shown = await verify();
    expect(shown.name).toEqual({ givenName: 'Crudupdated', familyName: 'Random' });
    expect(shown.active).toBe(true);
    expect(await typesOf()).toEqual(['user.created', 'user.updated']);
  });

  it('Deactivate the user in Okta: a PATCH of active false', async () => {
    const response = await okta.send('PATCH', `/scim/v2/Users/${user.id}`, fixture('okta/patch-deactivate'));
    expect(response.status).toBe(200);
    expect(response.body.active).toBe(false);
  });

  it('Verify the user was deactivated on the SCIM server', async () => {
    const shown = await verify();
    expect(shown.active).toBe(false);
    expect((await okta.send('GET', usersQuery({ filter: 'active eq false' }))).body.totalResults).toBe(1);
    expect(await typesOf()).toEqual(['user.created', 'user.updated', 'user.deactivated']);
  });

  it('Reactivate the user and reassign the app: the same id, looked up then reactivated', async () => {
    const found = await lookup();
    expect(found.Resources.map((resource: { id: string }) => resource.id)).toEqual([user.id]);
    const response = await okta.send('PATCH', `/scim/v2/Users/${user.id}`, fixture('okta/patch-reactivate'));
    expect(response.status).toBe(200);
    expect(response.body.active).toBe(true);
  });

  it('Verify the user was reactivated and assigned on the SCIM server', async () => {
    const shown = await verify();
    expect(shown.active).toBe(true);
    expect(shown.name.givenName).toBe('Crudupdated');
    expect(await typesOf()).toEqual(['user.created', 'user.updated', 'user.deactivated', 'user.reactivated']);
  });

  it('Remove the app from the user: Okta deactivates, it never deletes', async () => {
    const response = await okta.send('PATCH', `/scim/v2/Users/${user.id}`, fixture('okta/patch-deactivate'));
    expect(response.status).toBe(200);
  });

  it('Verify the user is deactivated on the SCIM server, and still there', async () => {
    const shown = await verify();
    expect(shown.active).toBe(false);
    expect((await lookup()).totalResults).toBe(1);
    expect(await typesOf()).toEqual([
      'user.created',
      'user.updated',
      'user.deactivated',
      'user.reactivated',
      'user.deactivated',
    ]);
  });

  it('gave every change a new version, and the checks between changes none', () => {
    // versions: created, before PUT, after PUT, deactivated, reactivated, deactivated again.
    expect(versions[0]).toBe(versions[1]);
    expect(new Set(versions.slice(1)).size).toBe(versions.length - 1);
  });

  it('never answered with a server error', () => {
    expect(serverErrors).toEqual([]);
  });
});
