import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createOidcApp } from '../../apps/oidc/src/create-oidc-app';
import { createScimApp } from '../../apps/scim/src/create-scim-app';
import { adminRequests } from '../support/admin-requests';
import { childEnv, distEntry, runNode } from '../support/processes';
import { TestDatabase, createTestDatabase } from '../support/test-database';
import { testConfig } from '../support/test-config';

interface Issued {
  id: string;
  token: string;
}

/**
 * Two-phase rotation of a SCIM token, proved with real SCIM requests to the SCIM app
 * (another app, with its own token cache): the new token works beside the old one until
 * the rotation is completed (the old one refused) or cancelled (the new one refused).
 */
describe('admin API: two-phase rotation of SCIM tokens', () => {
  let db: TestDatabase;
  let scim: NestFastifyApplication;
  let oidc: NestFastifyApplication;
  let admin: ReturnType<typeof adminRequests>;
  let adminToken: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = testConfig(db.url);
    adminToken = config.adminToken;
    [scim, oidc] = await Promise.all([createScimApp(config), createOidcApp(config)]);
    await Promise.all([scim.init(), oidc.init()]);
    admin = adminRequests(oidc, config.adminToken);
    await admin.post('/admin/v1/tenants', { slug: 'acme', name: 'Acme' });
    await admin.post('/admin/v1/tenants', { slug: 'globex', name: 'Globex' });
  });
  afterAll(async () => {
    await Promise.all([scim.close(), oidc.close()]);
    await db.drop();
  });

  const tokensPath = (slug = 'acme') => `/admin/v1/tenants/${slug}/scim-tokens`;
  const issue = async (slug = 'acme'): Promise<Issued> => (await admin.post(tokensPath(slug), {})).body as Issued;
  const rotate = (id: string, body: unknown = {}, slug = 'acme') =>
    admin.post(`${tokensPath(slug)}/${id}/rotation`, body);
  const complete = (id: string, slug = 'acme') => admin.post(`${tokensPath(slug)}/${id}/rotation/complete`);
  const cancel = (id: string, slug = 'acme') => admin.post(`${tokensPath(slug)}/${id}/rotation/cancel`);

  const scimStatus = async (token: string): Promise<number> =>
    (
      await scim.inject({
        method: 'GET',
        url: `/scim/v2/Users?filter=${encodeURIComponent('userName eq "probe@acme.example"')}`,
        headers: { authorization: `Bearer ${token}` },
      })
    ).statusCode;

  /** The SCIM app hears of a revocation through NOTIFY, within milliseconds; a second is generous. */
  const refusedWithin = async (token: string, ms = 1000): Promise<void> => {
    const started = Date.now();
    while (Date.now() - started < ms) {
      if ((await scimStatus(token)) === 401) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error(`the token still worked ${ms} ms later`);
  };

  /** What rotation state the database holds: compared before and after refused requests. */
  const tokenRows = () =>
    db.query<Record<string, unknown>>(
      'SELECT id, revoked_at, replaces_token_id FROM scim_tokens ORDER BY created_at, id',
    );
  const listed = async (id: string) =>
    ((await admin.get(tokensPath())).body.tokens as { id: string }[]).find((token) => token.id === id);

  it('issues a new token that works beside the old one until the rotation is completed', async () => {
    const old = await issue();
    expect(await scimStatus(old.token)).toBe(200);

    const response = await rotate(old.id);
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      token: expect.stringMatching(/^gws_[A-Za-z0-9_-]{43}$/),
      prefix: response.body.token.slice(0, 10),
      createdAt: expect.any(String),
      expiresAt: null,
      replaces: old.id,
    });
    const fresh = response.body as Issued;
    expect(await scimStatus(fresh.token)).toBe(200);
    expect(await scimStatus(old.token)).toBe(200);
    expect(await listed(fresh.id)).toMatchObject({ status: 'active', replaces: old.id });
    expect(await listed(old.id)).toMatchObject({ status: 'active', replaces: null });

    const completed = await complete(old.id);
    expect(completed.status).toBe(200);
    expect(completed.body).toEqual({
      revoked: expect.objectContaining({ id: old.id, status: 'revoked', revokedAt: expect.any(String) }),
      active: expect.objectContaining({ id: fresh.id, status: 'active', revokedAt: null }),
    });
    await refusedWithin(old.token);
    expect(await scimStatus(fresh.token)).toBe(200);
    expect(await listed(fresh.id)).toMatchObject({ status: 'active', replaces: null });
  });

  it('revokes the new token and keeps the old one when the rotation is cancelled', async () => {
    const old = await issue();
    const fresh = (await rotate(old.id)).body as Issued;
    expect(await scimStatus(fresh.token)).toBe(200);
    expect(await scimStatus(old.token)).toBe(200);

    const cancelled = await cancel(old.id);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toEqual({
      revoked: expect.objectContaining({ id: fresh.id, status: 'revoked' }),
      active: expect.objectContaining({ id: old.id, status: 'active' }),
    });
    await refusedWithin(fresh.token);
    expect(await scimStatus(old.token)).toBe(200);

    // The old token may be rotated again later.
    const again = await rotate(old.id);
    expect(again.status).toBe(201);
    expect((await complete(old.id)).status).toBe(200);
    await refusedWithin(old.token);
    expect(await scimStatus((again.body as Issued).token)).toBe(200);
  });

  it('gives the new token the expiry asked for', async () => {
    const old = await issue();
    const response = await rotate(old.id, { expiresAt: '2099-01-01T00:00:00Z' });
    expect(response.status).toBe(201);
    expect(response.body.expiresAt).toBe('2099-01-01T00:00:00.000Z');
    expect((await cancel(old.id)).status).toBe(200);
  });

  it('refuses a second rotation of the same token with 409, issuing nothing', async () => {
    const old = await issue();
    const first = (await rotate(old.id)).body as Issued;
    const before = await tokenRows();
    const second = await rotate(old.id);
    expect(second.status).toBe(409);
    expect(second.body.error).toEqual({ code: 'conflict', message: expect.stringContaining('already under way') });
    expect(await tokenRows()).toEqual(before);
    expect(await scimStatus(first.token)).toBe(200);
    expect(await scimStatus(old.token)).toBe(200);
  });

  it('lets only one of two concurrent rotations of a token through', async () => {
    const old = await issue();
    const answers = await Promise.all([rotate(old.id), rotate(old.id), rotate(old.id)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409, 409]);
    const successors = await db.query(
      'SELECT id FROM scim_tokens WHERE replaces_token_id = $1 AND revoked_at IS NULL',
      [old.id],
    );
    expect(successors).toHaveLength(1);
  });

  it('refuses to rotate the new token of an unfinished rotation (409), until that rotation ends', async () => {
    const old = await issue();
    const fresh = (await rotate(old.id)).body as Issued;
    const before = await tokenRows();
    const response = await rotate(fresh.id);
    expect(response.status).toBe(409);
    expect(response.body.error.message).toContain('unfinished rotation');
    expect(await tokenRows()).toEqual(before);
    expect((await complete(old.id)).status).toBe(200);
    expect((await rotate(fresh.id)).status).toBe(201);
  });

  it.each([
    ['an unknown id', () => Promise.resolve('00000000-0000-0000-0000-000000000000')],
    ['an id that is not a uuid', () => Promise.resolve('not-a-uuid')],
    [
      'a revoked token',
      async () => {
        const token = await issue();
        await admin.delete(`${tokensPath()}/${token.id}`);
        return token.id;
      },
    ],
    ['another tenant’s token', async () => (await issue('globex')).id],
  ])('answers 404 to rotating %s, and changes nothing', async (_case, idOf) => {
    const id = await idOf();
    const before = await tokenRows();
    for (const response of [await rotate(id), await complete(id), await cancel(id)]) {
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('not_found');
    }
    expect(await tokenRows()).toEqual(before);
  });

  it('answers 404 to rotating an expired token', async () => {
    const token = await issue();
    await db.query(`UPDATE scim_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [token.id]);
    const before = await tokenRows();
    const response = await rotate(token.id);
    expect(response.status).toBe(404);
    expect(response.body.error.message).toContain('expired');
    expect(await tokenRows()).toEqual(before);
  });

  it('answers 409 to completing or cancelling when no rotation is under way, and 404 once it ended', async () => {
    const token = await issue();
    const before = await tokenRows();
    for (const response of [await complete(token.id), await cancel(token.id)]) {
      expect(response.status).toBe(409);
      expect(response.body.error.message).toContain('no rotation');
    }
    expect(await tokenRows()).toEqual(before);
    expect(await scimStatus(token.token)).toBe(200);

    await rotate(token.id);
    expect((await complete(token.id)).status).toBe(200);
    const after = await tokenRows();
    expect((await cancel(token.id)).status).toBe(404);
    expect((await complete(token.id)).status).toBe(404);
    expect(await tokenRows()).toEqual(after);
  });

  it.each([
    ['an expiry in the past', { expiresAt: '2001-01-01T00:00:00Z' }, 'expiresAt'],
    ['an expiry that is not a date', { expiresAt: 'soon' }, 'expiresAt'],
    ['an unknown field', { replaces: 'x' }, 'replaces'],
    ['a body that is not an object', [1, 2], 'expected object'],
  ])('refuses %s with 400 and issues nothing', async (_case, body, text) => {
    const token = await issue();
    const before = await tokenRows();
    const response = await rotate(token.id, body);
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain(text);
    expect(await tokenRows()).toEqual(before);
  });

  it('answers 404 for an unknown tenant and 401 without the admin token', async () => {
    const token = await issue();
    expect((await rotate(token.id, {}, 'nobody')).status).toBe(404);
    const headers = { authorization: 'Bearer nope-nope-nope-nope-nope-nope' };
    for (const end of ['', '/complete', '/cancel']) {
      const response = await admin.send('POST', `${tokensPath()}/${token.id}/rotation${end}`, {}, headers);
      expect(response.status).toBe(401);
    }
    expect(await db.query('SELECT id FROM scim_tokens WHERE replaces_token_id = $1', [token.id])).toEqual([]);
  });

  it('deletes a tenant with a rotation under way, and refuses both its tokens', async () => {
    await admin.post('/admin/v1/tenants', { slug: 'doomed', name: 'Doomed' });
    const old = await issue('doomed');
    const fresh = (await rotate(old.id, {}, 'doomed')).body as Issued;
    expect(await scimStatus(fresh.token)).toBe(200);
    expect((await admin.delete('/admin/v1/tenants/doomed')).status).toBe(204);
    await refusedWithin(old.token);
    await refusedWithin(fresh.token);
    expect(await db.query('SELECT id FROM scim_tokens WHERE id = ANY($1::uuid[])', [[old.id, fresh.id]])).toEqual([]);
  });

  it('audits a rotation without the token it issued', async () => {
    const old = await issue();
    const fresh = (await rotate(old.id)).body as Issued;
    await complete(old.id);
    const entries = await db.query<{ action: string; text: string }>(
      `SELECT action, to_jsonb(a)::text AS text FROM audit_log a
        WHERE action LIKE 'scim-tokens.%rotat%' ORDER BY id`,
    );
    expect(entries.map((entry) => entry.action)).toEqual(
      expect.arrayContaining(['scim-tokens.rotate', 'scim-tokens.complete-rotation']),
    );
    for (const entry of entries) expect(entry.text).not.toContain(fresh.token);
  });

  it('rotates, completes and cancels from the CLI', async () => {
    await oidc.listen(0, '127.0.0.1');
    const baseUrl = await oidc.getUrl();
    const cli = (...args: string[]) =>
      runNode(distEntry('cli'), args, childEnv({ PUBLIC_URL: baseUrl, ADMIN_TOKEN: adminToken }));
    const old = await issue();

    const rotated = await cli('--json', 'tokens', 'rotate', 'acme', old.id);
    expect(rotated.code).toBe(0);
    const fresh = JSON.parse(rotated.stdout) as Issued & { replaces: string };
    expect(fresh.replaces).toBe(old.id);
    expect(await scimStatus(fresh.token)).toBe(200);

    const human = await cli('tokens', 'rotate', 'acme', old.id);
    expect(human.code).toBe(1);
    expect(human.stderr).toContain('already under way');

    const completed = await cli('tokens', 'rotation-complete', 'acme', old.id);
    expect(completed.code).toBe(0);
    expect(completed.stdout).toContain(`revoked SCIM token ${old.id}; ${fresh.id} stays active`);
    await refusedWithin(old.token);

    const next = JSON.parse((await cli('--json', 'tokens', 'rotate', 'acme', fresh.id)).stdout) as Issued;
    const cancelled = await cli('tokens', 'rotation-cancel', 'acme', fresh.id);
    expect(cancelled.stdout).toContain(`revoked SCIM token ${next.id}; ${fresh.id} stays active`);
    await refusedWithin(next.token);
    expect(await scimStatus(fresh.token)).toBe(200);
  });
});
