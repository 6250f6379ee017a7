import { TestApp } from '../support/test-app';
import {
  ERROR_SCHEMA,
  LIST_RESPONSE_SCHEMA,
  ScimTenant,
  USER_SCHEMA,
  createScimTenant,
  events,
  expectScimError,
  fixture,
  serverErrors,
  startScimApp,
  usersQuery,
} from '../support/scim-client';

/**
 * Okta's "SCIM 2.0 SPEC test" (the Runscope/BlazeMeter suite an OIN
 * submission must pass), step by step in its order, as it sends each request
 * (headers included) and with what it asserts, plus what this server promises
 * beyond it. The steps share one tenant and run in order. The suite expects
 * one user to exist before it starts (its first step reads Resources[0]).
 */
describe('Okta SCIM 2.0 SPEC test', () => {
  let gateway: TestApp;
  let okta: ScimTenant;
  let existing: any;
  let created: any;
  // Okta makes up a random user for each run; any fresh name stands in.
  const random = { userName: 'spec.random.7f3a@atko.email', givenName: 'Spec', familyName: 'Random' };
  const createBody = fixture('okta/spec-create-user', { ...random, email: random.userName });
  /** The headers Okta's suite sends on every step. */
  const OKTA_HEADERS = {
    'accept-charset': 'utf-8',
    accept: 'application/scim+json',
    'content-type': 'application/scim+json; charset=utf-8',
    'user-agent': 'OKTA SCIM Integration',
  };
  const step = (method: 'GET' | 'POST', url: string, body?: unknown, headers: Record<string, string> = {}) =>
    okta.send(method, url, body, { ...OKTA_HEADERS, ...headers });

  beforeAll(async () => {
    gateway = await startScimApp();
    okta = await createScimTenant(gateway, 'okta-spec');
    const seeded = await okta.send(
      'POST',
      '/scim/v2/Users',
      fixture('okta/spec-create-user', {
        userName: 'existing.user@atko.email',
        givenName: 'Existing',
        familyName: 'User',
        email: 'existing.user@atko.email',
      }),
    );
    expect(seeded.status).toBe(201);
    existing = seeded.body;
  });
  afterAll(() => gateway.close());

  it('Required Test: Test Users endpoint (GET /Users?count=1&startIndex=1)', async () => {
    const response = await step('GET', '/scim/v2/Users?count=1&startIndex=1');
    expect(response.status).toBe(200);
    expect(response.body.schemas).toContain(LIST_RESPONSE_SCHEMA);
    for (const key of ['itemsPerPage', 'startIndex', 'totalResults']) expect(typeof response.body[key]).toBe('number');
    expect(response.body.Resources).toHaveLength(1);
    const [first] = response.body.Resources;
    expect(first.id).toBeTruthy();
    expect(first.name.familyName).toBeTruthy();
    expect(first.name.givenName).toBeTruthy();
    expect(first.userName).toBeTruthy();
    expect(first.active).toBe(true);
    expect(first.emails[0].value).toBeTruthy();
  });

  it('Required Test: Get Users/{{id}}', async () => {
    const response = await step('GET', `/scim/v2/Users/${existing.id}`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual(existing);
    expect(response.body.active).toBe(true);
  });

  it('Required Test: Test invalid User by username (an empty list, totalResults 0)', async () => {
    const response = await step('GET', usersQuery({ filter: 'userName eq "no.such.user@atko.email"' }));
    expect(response.status).toBe(200);
    expect(response.body).toEqual(fixture('okta/empty-list-response'));
  });

  it('Required Test: Test invalid User by ID (404 with a SCIM error)', async () => {
    const response = await step('GET', '/scim/v2/Users/010101001010101');
    expectScimError(response, 404);
    expect(response.body.detail).toBeTruthy();
  });

  it("Required Test: Make sure random user doesn't exist", async () => {
    const response = await step('GET', usersQuery({ filter: `userName eq "${random.userName}"` }));
    expect(response.status).toBe(200);
    expect(response.body.totalResults).toBe(0);
    expect(response.body.schemas).toContain(LIST_RESPONSE_SCHEMA);
  });

  it('Required Test: Create Okta user with realistic values (sent without Content-Type)', async () => {
    const response = await step('POST', '/scim/v2/Users', createBody, { 'content-type': '' });
    expect(response.status).toBe(201);
    expect(response.body.active).toBe(true);
    expect(response.body.id).toBeTruthy();
    expect(response.body.name).toEqual({ givenName: random.givenName, familyName: random.familyName });
    expect(response.body.schemas).toContain(USER_SCHEMA);
    expect(response.body.userName).toBe(random.userName);
    created = response.body;
    expect((await events(gateway.db, created.id)).map((event) => event.type)).toEqual(['user.created']);
  });

  it('Required Test: Verify that user was created', async () => {
    const response = await step('GET', `/scim/v2/Users/${created.id}`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual(created);
  });

  it('Required Test: Expect failure when recreating user with same values (409)', async () => {
    const again = { ...createBody, emails: [{ primary: true, value: random.userName, type: 'work' }] };
    const response = await step('POST', '/scim/v2/Users', again, { 'content-type': '' });
    expectScimError(response, 409, 'uniqueness');
    const lookup = await step('GET', usersQuery({ filter: `userName eq "${random.userName}"` }));
    expect(lookup.body.totalResults).toBe(1);
  });

  it('Required Test: Username Case Sensitivity Check (userName is case-insensitive)', async () => {
    const response = await step('GET', usersQuery({ filter: `userName eq "${random.userName.toUpperCase()}"` }));
    expect(response.status).toBe(200);
    expect(response.body.totalResults).toBe(1);
    expect(response.body.Resources).toEqual([created]);
  });

  it('Optional Test: Verify Groups endpoint', async () => {
    const response = await step('GET', '/scim/v2/Groups?count=1&startIndex=1');
    expect(response.status).toBe(200);
    expect(response.body).toEqual(fixture('okta/empty-list-response'));
  });

  it('Required Test: Check status 401 (a token that is not one)', async () => {
    const response = await step('GET', usersQuery({ filter: `userName eq "${random.userName}"` }), undefined, {
      authorization: 'non-token',
    });
    expectScimError(response, 401);
    expect(response.body.detail).toBeTruthy();
    expect(response.body.schemas).toEqual([ERROR_SCHEMA]);
  });

  it('Required Test: Check status 404', async () => {
    const response = await step('GET', '/scim/v2/Users/00919288221112222');
    expectScimError(response, 404);
    expect(response.body.status).toBe('404');
  });

  it('left the tenant with the two users and their creation events only', async () => {
    const response = await step('GET', '/scim/v2/Users');
    expect(response.body.totalResults).toBe(2);
    expect((await events(gateway.db)).map((event) => event.type)).toEqual(['user.created', 'user.created']);
  });

  it('never answered with a server error', () => {
    expect(serverErrors).toEqual([]);
  });
});
