import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { DirectoryChange, DirectoryFollower } from '@app/events';
import { decodeFeedCursor } from '@app/identity/events-feed/feed-cursor';
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

  const mirrorOptions = () => ({
    gatewayUrl: gateway.config.publicUrl,
    clientId: product.clientId,
    clientSecret: product.clientSecret,
    tenant: 'acme',
    fetch: fetchGateway,
  });

  /**
   * Runs `changes` while the feed's head row is locked: the relay's stamping waits,
   * so what commits meanwhile gets its feed positions only once they are done.
   */
  const holdingStamps = async (changes: () => Promise<void>) => {
    const hold = new Client({ connectionString: gateway.db.url });
    await hold.connect();
    try {
      await hold.query('BEGIN');
      await hold.query('SELECT head FROM events_feed FOR UPDATE');
      await changes();
      await hold.query('COMMIT');
    } finally {
      await hold.end();
    }
  };
  const allStamped = () =>
    eventually(
      async () =>
        (
          await gateway.db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM outbox_events WHERE feed_position IS NULL`,
          )
        )[0].n === 0,
      15_000,
      'every event stamped',
    );
  /** acme's user events after a feed cursor, in feed order. */
  const userEventsAfter = (cursor: string) =>
    gateway.db.query<{ id: string; type: string; sequence: number }>(
      `SELECT o.subject_id AS id, o.type, o.sequence::int AS sequence FROM outbox_events o
       JOIN tenants t ON t.id = o.tenant_id AND t.slug = 'acme'
       WHERE o.subject_type = 'user' AND o.feed_position > $1 ORDER BY o.feed_position`,
      [decodeFeedCursor(cursor)],
    );

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
    // The backfill's users may already match before its end is handed over and logged: wait for both.
    const backfilled = () => firstLog.some((line) => /^loaded \d+ users$/.test(line));
    await eventually(() => backfilled() && mirrors(first.state), 20_000, 'the mirror matching the directory').catch(
      async (error: Error) => {
        expect(first.state.users).toEqual(await truth()); // shows the difference
        throw error;
      },
    );
    expect(backfilled()).toBe(true);
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
    expect(secondLog.some((line) => line.startsWith(`user.created ${later} #`))).toBe(true);
    expect(secondLog.some((line) => line.startsWith(`user.deleted ${racing[0]} #`))).toBe(true);
  });

  it('restarted right after its backfill, applies no event older than what its state holds', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'gw-mirror-')), 'acme-users.json');
    const options = { ...mirrorOptions(), stateFile };
    const pool = Object.values(await truth())
      .filter((user) => user.active)
      .slice(0, 6)
      .map((user) => user.id);
    // Changes commit while stamping waits: the listing has them, their events come after its eventsCursor.
    await holdingStamps(async () => {
      for (const id of pool) await setActive(id, false);
      for (const id of pool.slice(0, 3)) await setActive(id, true);
      await createUser('held@acme.test');
      const first = startUserMirror({
        ...options,
        log: (line) => line.startsWith('loaded') && first.stop(), // the process ends right after `backfilled`
      });
      await first.done;
    });
    const saved = JSON.parse(readFileSync(stateFile, 'utf8')) as MirrorState;
    await allStamped();
    // The hazard is real: the feed after the saved cursor holds events the saved state is already past.
    const after = await userEventsAfter(saved.cursor!);
    const stale = after.filter((event) => event.sequence <= held(saved, event.id));
    expect(stale.length).toBeGreaterThanOrEqual(pool.length);

    await setActive(pool[0], false); // and one change while it is down
    const log: string[] = [];
    const second = startUserMirror({ ...options, log: (line) => log.push(line) });
    await eventually(
      async () => log.some((line) => line.startsWith(`user.deactivated ${pool[0]} #`)) && (await mirrors(second.state)),
      20_000,
      'the restarted mirror catching up',
    );
    second.stop();
    await second.done;
    expect(log.some((line) => line.startsWith('loaded'))).toBe(false);
    const applied = appliedEvents(log);
    expect(applied.length).toBeGreaterThan(0);
    expect(applied.filter((event) => event.sequence <= held(saved, event.id))).toEqual([]);
  });

  it("keeps a deleted user's sequence, so its older events handed over again after a restart do not bring it back", async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'gw-mirror-')), 'acme-users.json');
    const options = { ...mirrorOptions(), stateFile };
    const doomed = await createUser('doomed@acme.test');
    const other = Object.values(await truth()).find((user) => user.active && user.id !== doomed)!.id;
    const first = startUserMirror({
      ...options,
      // Stops right after the deletion, in the middle of its page: the cursor saved with it is the page's start.
      log: (line) => line.startsWith(`user.deleted ${doomed} #`) && first.stop(),
    });
    await eventually(() => first.state.users[doomed] !== undefined, 20_000, 'the mirror holding the user');
    // One page: the user changed, deleted, and another user changed after it.
    await holdingStamps(async () => {
      await setActive(doomed, false);
      expect((await acme.send('DELETE', `/scim/v2/Users/${doomed}`)).status).toBe(204);
      await setActive(other, false);
    });
    await first.done;
    const saved = JSON.parse(readFileSync(stateFile, 'utf8')) as MirrorState;
    expect(saved.users[doomed]).toBeUndefined();
    expect(saved.deleted[doomed]).toEqual(expect.any(Number));
    // The saved cursor is before the deletion: a restart hands the user's last events over again.
    const again = (await userEventsAfter(saved.cursor!)).filter((event) => event.id === doomed);
    expect(again.map((event) => event.type)).toEqual(['user.deactivated', 'user.deleted']);

    const log: string[] = [];
    const second = startUserMirror({ ...options, log: (line) => log.push(line) });
    await eventually(
      async () => log.some((line) => line.startsWith(`user.`) && line.includes(other)) && (await mirrors(second.state)),
      20_000,
      'the restarted mirror applying the change after the deletion',
    );
    second.stop();
    await second.done;
    expect(log.filter((line) => line.includes(doomed))).toEqual([]);
    expect(second.state.users[doomed]).toBeUndefined();
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

/** The sequence a saved state holds for a user: its latest change applied, or its deletion's. */
function held(state: MirrorState, id: string): number {
  return state.users[id]?.sequence ?? state.deleted[id] ?? 0;
}

/** The events a mirror's log says it applied (`type id #sequence`). */
function appliedEvents(log: string[]): { type: string; id: string; sequence: number }[] {
  return log.flatMap((line) => {
    const match = /^(user\.\S+) (\S+) #(\d+)$/.exec(line);
    return match ? [{ type: match[1], id: match[2], sequence: Number(match[3]) }] : [];
  });
}

function sorted(users: MirrorState['users']): MirrorState['users'] {
  return Object.fromEntries(Object.entries(users).sort(([a], [b]) => a.localeCompare(b)));
}
