import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DirectoryChange, DirectoryFollower } from '@app/events';
import { MirrorState, startUserMirror } from '../../libs/events/examples/user-mirror';
import { EventsGateway, startEventsGateway } from '../support/events-gateway';
import { PATCH_OP_SCHEMA, ScimTenant, USER_SCHEMA } from '../support/scim-client';
import { eventually } from '../support/webhook-receiver';

/** fetch over the app's in-process HTTP (no socket), for the gateway's PUBLIC_URL. */
function injectFetch(app: NestFastifyApplication): typeof fetch {
  return (async (input: string | URL, init: RequestInit = {}) => {
    const url = new URL(String(input));
    const signal = init.signal ?? undefined;
    const response = app.inject({
      method: (init.method ?? 'GET') as 'GET',
      url: `${url.pathname}${url.search}`,
      headers: (init.headers ?? {}) as Record<string, string>,
      ...(typeof init.body === 'string' ? { payload: init.body } : {}),
    });
    const aborted = new Promise<never>((_, reject) => {
      signal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })));
    });
    const answer = await Promise.race([response, aborted]);
    const headers = Object.fromEntries(
      Object.entries(answer.headers).map(([name, value]) => [
        name,
        Array.isArray(value) ? value.join(', ') : String(value),
      ]),
    );
    return new Response(answer.statusCode === 204 ? null : answer.body, { status: answer.statusCode, headers });
  }) as typeof fetch;
}

describe('DirectoryFollower and the user-mirror example, end to end', () => {
  let gateway: EventsGateway;
  let acme: ScimTenant;
  let product: { clientId: string; clientSecret: string };
  let fetchGateway: typeof fetch;

  const createUser = async (userName: string) =>
    (await acme.send('POST', '/scim/v2/Users', { schemas: [USER_SCHEMA], userName, emails: [{ value: userName }] }))
      .body.id as string;
  const setActive = (id: string, active: boolean) =>
    acme.send('PATCH', `/scim/v2/Users/${id}`, {
      schemas: [PATCH_OP_SCHEMA],
      Operations: [{ op: 'replace', path: 'active', value: active }],
    });
  /** The tenant's users as the database has them, in the mirror's shape. */
  const truth = async (): Promise<MirrorState['users']> => {
    const rows = await gateway.db.query<{ id: string; user_name: string; active: boolean; sequence: string }>(
      `SELECT u.id, u.user_name, u.active, s.last_sequence::text AS sequence FROM users u
       JOIN tenants t ON t.id = u.tenant_id AND t.slug = 'acme'
       JOIN outbox_subject_sequences s ON s.subject_type = 'user' AND s.subject_id = u.id::text`,
    );
    return Object.fromEntries(
      rows.map((row) => [
        row.id,
        {
          id: row.id,
          userName: row.user_name,
          email: row.user_name,
          active: row.active,
          sequence: Number(row.sequence),
        },
      ]),
    );
  };

  /** Whether a mirror holds exactly the tenant's users, as they are now. */
  const mirrors = async (state: MirrorState) =>
    JSON.stringify(sorted(state.users)) === JSON.stringify(sorted(await truth()));

  beforeAll(async () => {
    gateway = await startEventsGateway();
    acme = await gateway.tenant('acme');
    const globex = await gateway.tenant('globex');
    await globex.send('POST', '/scim/v2/Users', { schemas: [USER_SCHEMA], userName: 'not-mine@globex.test' });
    for (let i = 0; i < 30; i++) await createUser(`user${i}@acme.test`);
    const created = await gateway.admin.post('/admin/v1/clients', {
      name: 'directory mirror',
      grantTypes: ['client_credentials'],
      tenants: ['acme'],
    });
    product = created.body;
    fetchGateway = injectFetch(gateway.oidc);
  });
  afterAll(() => gateway.close());

  it('backfills, follows changes racing the backfill, stops, and goes on from its saved cursor after a restart', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'gw-mirror-')), 'acme-users.json');
    const options = {
      gatewayUrl: gateway.config.publicUrl,
      clientId: product.clientId,
      clientSecret: product.clientSecret,
      tenant: 'acme',
      stateFile,
      fetch: fetchGateway,
    };
    const firstLog: string[] = [];
    const first = startUserMirror({ ...options, log: (line) => firstLog.push(line) });
    // Changes race the backfill.
    const racing = [await createUser('racer1@acme.test'), await createUser('racer2@acme.test')];
    await setActive(racing[0], false);
    await eventually(() => mirrors(first.state), 20_000, 'the mirror matching the directory').catch(
      async (error: Error) => {
        expect(first.state.users).toEqual(await truth()); // shows the difference
        throw error;
      },
    );
    expect(firstLog.some((line) => /^loaded \d+ users$/.test(line))).toBe(true);
    first.stop();
    await first.done;
    const saved = JSON.parse(readFileSync(stateFile, 'utf8')) as MirrorState;
    expect(saved.cursor).toEqual(expect.any(String));

    // Changes while the product is down.
    const later = await createUser('later@acme.test');
    await setActive(racing[1], false);
    await acme.send('DELETE', `/scim/v2/Users/${racing[0]}`);

    const secondLog: string[] = [];
    const second = startUserMirror({ ...options, log: (line) => secondLog.push(line) });
    await eventually(
      async () => second.state.users[later] !== undefined && (await mirrors(second.state)),
      20_000,
      'the restarted mirror catching up',
    ).catch(async (error: Error) => {
      expect(second.state.users).toEqual(await truth());
      throw error;
    });
    second.stop();
    await second.done;
    // It went on from the cursor: no second backfill.
    expect(secondLog.some((line) => line.startsWith('loaded'))).toBe(false);
    expect(secondLog).toContain(`user.created ${later}`);
    expect(secondLog).toContain(`user.deleted ${racing[0]}`);
  });

  it('is the example the README of libs/events shows, verbatim', () => {
    const example = readFileSync(join(__dirname, '../../libs/events/examples/user-mirror.ts'), 'utf8');
    expect(readFileSync(join(__dirname, '../../libs/events/README.md'), 'utf8')).toContain(example);
  });

  it('reads the directory again when its saved cursor has expired', async () => {
    const changes: DirectoryChange['kind'][] = [];
    const [{ head }] = await gateway.db.query<{ head: string }>(`SELECT head::text FROM events_feed`);
    const oldCursor = Buffer.from('f1:1').toString('base64url');
    await gateway.db.query(`UPDATE events_feed SET pruned_through = $1`, [head]);
    const follower: DirectoryFollower = new DirectoryFollower({
      gatewayUrl: gateway.config.publicUrl,
      clientId: product.clientId,
      clientSecret: product.clientSecret,
      tenant: 'acme',
      cursor: oldCursor,
      fetch: fetchGateway,
      waitSeconds: 1,
      handle: (change) => {
        changes.push(change.kind);
        if (change.kind === 'backfilled') follower.stop();
        return Promise.resolve();
      },
    });
    await follower.run();
    expect(changes[0]).toBe('resync');
    expect(changes.filter((kind) => kind === 'user').length).toBeGreaterThan(30);
    expect(changes[changes.length - 1]).toBe('backfilled');
  });

  it('stops with the refusal when the client may not read the tenant', async () => {
    const follower = new DirectoryFollower({
      gatewayUrl: gateway.config.publicUrl,
      clientId: product.clientId,
      clientSecret: product.clientSecret,
      tenant: 'globex',
      fetch: fetchGateway,
      handle: () => Promise.resolve(),
    });
    await expect(follower.run()).rejects.toThrow(/answered 403/);
  });
});

function sorted(users: MirrorState['users']): MirrorState['users'] {
  return Object.fromEntries(Object.entries(users).sort(([a], [b]) => a.localeCompare(b)));
}
