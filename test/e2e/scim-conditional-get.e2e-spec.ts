import { TestApp } from '../support/test-app';
import {
  ScimTenant,
  USER_SCHEMA,
  WEAK_ETAG,
  createScimTenant,
  expectScimError,
  patchOp,
  serverErrors,
  startScimApp,
} from '../support/scim-client';
import { GROUP_SCHEMA } from '../support/scim-groups-client';

/**
 * RFC 7644 §3.14 (ETags, advertised as `etag.supported`) with RFC 9110
 * §13.1.2 If-None-Match: a GET of /Users/{id} or /Groups/{id} naming the
 * current version is answered 304 with the ETag and no body.
 */
describe('SCIM conditional GET (If-None-Match)', () => {
  let gateway: TestApp;
  let tenant: ScimTenant;
  let user: any;
  let group: any;

  beforeAll(async () => {
    gateway = await startScimApp();
    tenant = await createScimTenant(gateway, 'conditional');
    user = (await tenant.send('POST', '/scim/v2/Users', { schemas: [USER_SCHEMA], userName: 'etag@x.test' })).body;
    group = (
      await tenant.send('POST', '/scim/v2/Groups', {
        schemas: [GROUP_SCHEMA],
        displayName: 'Cached',
        members: [{ value: user.id }],
      })
    ).body;
    // The user as shown now: a member of the group.
    user = (await tenant.send('GET', `/scim/v2/Users/${user.id}`)).body;
  });
  afterAll(() => gateway.close());

  const bare = (etag: string): string => etag.replace(/^W\//, '');
  const resources = (): [string, () => any][] => [
    ['Users', () => user],
    ['Groups', () => group],
  ];

  describe.each(resources())('GET /%s/{id}', (collection, current) => {
    const url = (): string => `/scim/v2/${collection}/${current().id}`;

    it('advertises ETags and sends one', async () => {
      const config = await tenant.send('GET', '/scim/v2/ServiceProviderConfig');
      expect(config.body.etag).toEqual({ supported: true });
      const response = await tenant.send('GET', url());
      expect(response.headers.etag).toMatch(WEAK_ETAG);
      expect(response.headers.etag).toBe(current().meta.version);
    });

    it.each([
      ['the current ETag', (etag: string) => etag],
      ['its strong form (weak comparison)', (etag: string) => bare(etag)],
      ['a list naming it', (etag: string) => `W/"0", ${etag}, "x"`],
      ['*', () => '*'],
    ])('answers 304 with the ETag and no body for %s', async (_case, header) => {
      const etag = current().meta.version as string;
      const response = await tenant.send('GET', url(), undefined, { 'if-none-match': header(etag) });
      expect(response.status).toBe(304);
      expect(response.body).toBeUndefined();
      expect(response.headers.etag).toBe(etag);
    });

    it('answers 304 whatever attributes are asked for (the version is the resource’s)', async () => {
      const response = await tenant.send('GET', `${url()}?attributes=id`, undefined, {
        'if-none-match': current().meta.version,
      });
      expect(response.status).toBe(304);
    });

    it.each(['W/"999"', '"0"', 'garbage', ''])('answers 200 with the body for %p', async (header) => {
      const response = await tenant.send('GET', url(), undefined, { 'if-none-match': header });
      expect(response.status).toBe(200);
      expect(response.body).toEqual(current());
    });

    it('answers 404 for an unknown id, even with *', async () => {
      const response = await tenant.send(
        'GET',
        `/scim/v2/${collection}/2819c223-7f76-453a-919d-413861904646`,
        undefined,
        { 'if-none-match': '*' },
      );
      expectScimError(response, 404);
    });
  });

  it.each(resources())('answers 200 with the new body once the %s resource changed', async (collection, current) => {
    const before = current();
    const patched = await tenant.send(
      'PATCH',
      `/scim/v2/${collection}/${before.id}?excludedAttributes=members`,
      patchOp({ op: 'replace', path: 'displayName', value: `Changed ${collection}` }),
    );
    expect(patched.status).toBe(200);
    const response = await tenant.send('GET', `/scim/v2/${collection}/${before.id}`, undefined, {
      'if-none-match': before.meta.version,
    });
    expect(response.status).toBe(200);
    expect(response.body.displayName).toBe(`Changed ${collection}`);
    expect(response.headers.etag).not.toBe(before.meta.version);
    const again = await tenant.send('GET', `/scim/v2/${collection}/${before.id}`, undefined, {
      'if-none-match': response.headers.etag as string,
    });
    expect(again.status).toBe(304);
  });

  it('gives a user a new ETag when it joins or leaves a group (its groups are part of it), which filters find', async () => {
    const before = (await tenant.send('GET', `/scim/v2/Users/${user.id}`)).body;
    const other = await tenant.send('POST', '/scim/v2/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Joined later',
      members: [{ value: user.id }],
    });
    expect(other.status).toBe(201);
    const joined = await tenant.send('GET', `/scim/v2/Users/${user.id}`, undefined, {
      'if-none-match': before.meta.version,
    });
    expect(joined.status).toBe(200);
    expect(joined.body.groups.map((g: { display: string }) => g.display)).toContain('Joined later');
    expect(joined.headers.etag).not.toBe(before.meta.version);
    // If-Match follows the same tag: the old one is stale.
    const stale = await tenant.send(
      'PATCH',
      `/scim/v2/Users/${user.id}`,
      patchOp({ op: 'replace', path: 'title', value: 'x' }),
      { 'if-match': before.meta.version },
    );
    expectScimError(stale, 412);
    // The tag computed in SQL for a filter is the one shown.
    const found = await tenant.send(
      'GET',
      `/scim/v2/Users?filter=${encodeURIComponent(`meta.version eq ${JSON.stringify(joined.body.meta.version)}`)}`,
    );
    expect(found.body.Resources.map((u: { id: string }) => u.id)).toEqual([user.id]);

    const left = await tenant.send('DELETE', `/scim/v2/Groups/${other.body.id}`);
    expect(left.status).toBe(204);
    const after = await tenant.send('GET', `/scim/v2/Users/${user.id}`, undefined, {
      'if-none-match': joined.body.meta.version,
    });
    expect(after.status).toBe(200);
    // Back to the same groups: the same representation, so the same tag as before.
    expect(after.body.meta.version).toBe(before.meta.version);
  });

  it('never answered with a server error', () => {
    expect(serverErrors).toEqual([]);
  });
});
