import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { IdentityEvent, NewIdentityEvent, OutboxService, dataSourceOptions } from '@app/identity';
import { CursorExpiredError } from '@app/identity/events-feed/cursor-expired.error';
import { EventsFeedRepository } from '@app/identity/events-feed/events-feed.repository';
import { EventsFeedService } from '@app/identity/events-feed/events-feed.service';
import { decodeFeedCursor } from '@app/identity/events-feed/feed-cursor';
import { FeedNotifications } from '@app/identity/events-feed/feed-notifications';
import { FeedQuery } from '@app/identity/events-feed/feed-query';
import { FeedStamper } from '@app/identity/events-feed/feed-stamper';
import { ReaderAccess, ReaderScopes } from '@app/identity/events-feed/reader-scope';
import { TestDatabase, createTestDatabase } from '../support/test-database';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const EVERY_TENANT: ReaderAccess = { clientId: 'test', tenants: ['*'] };
const query = (overrides: Partial<FeedQuery> = {}): FeedQuery => ({
  after: undefined,
  types: undefined,
  tenant: undefined,
  limit: 100,
  waitSeconds: 0,
  ...overrides,
});

describe('the events feed (service, real PostgreSQL)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let stamper: FeedStamper;
  let notifications: FeedNotifications;
  let feed: EventsFeedService;
  const outbox = new OutboxService();
  const acme = { id: randomUUID(), slug: 'acme' };
  const globex = { id: randomUUID(), slug: 'globex' };

  const record = (tenant: typeof acme, subjectId: string, count = 1, type: NewIdentityEvent['type'] = 'user.updated') =>
    dataSource.transaction((em) =>
      outbox.appendMany(
        em,
        Array.from({ length: count }, () => ({
          type,
          tenant,
          subject: { type: 'user' as const, id: subjectId },
          data: { id: subjectId },
        })),
      ),
    );

  /** Reads from `cursor` to the current end; returns the events and the cursor to go on from. */
  const readToEnd = async (cursor: string | undefined, overrides: Partial<FeedQuery> = {}, access = EVERY_TENANT) => {
    const events: IdentityEvent[] = [];
    let after = cursor === undefined ? undefined : decodeFeedCursor(cursor);
    for (;;) {
      const { page } = await feed.read(access, query({ after, limit: 50, ...overrides }));
      events.push(...page.data);
      after = decodeFeedCursor(page.nextCursor);
      if (!page.hasMore) return { events, cursor: page.nextCursor };
    }
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await new DataSource({ ...dataSourceOptions(db.url), extra: { max: 30 } }).initialize();
    await db.query(`INSERT INTO tenants (id, slug, name) VALUES ($1, 'acme', 'Acme'), ($2, 'globex', 'Globex')`, [
      acme.id,
      globex.id,
    ]);
    stamper = new FeedStamper(dataSource);
    notifications = new FeedNotifications({ databaseUrl: db.url });
    feed = new EventsFeedService(new EventsFeedRepository(dataSource), new ReaderScopes(dataSource), notifications);
  });
  afterAll(async () => {
    await notifications.onApplicationShutdown();
    await dataSource.destroy();
    await db.drop();
  });

  it('never skips nor repeats an event while concurrent writers of varied length commit, and keeps each subject in sequence order', async () => {
    const subjects = Array.from({ length: 6 }, () => randomUUID());
    // A subscription to everything: every event goes through Redis, where the relay's rounds race.
    await db.query(
      `INSERT INTO subscriptions (id, name, kind, url, secret_sealed, events)
       VALUES (gen_random_uuid(), 'everything', 'webhook', 'https://hooks.example/in', '\\x00', '{*}')`,
    );
    const committed = new Set<string>();
    const rolledBack = new Set<string>();
    let writing = true;

    // Writers: some take their transaction id early and commit late (what breaks a feed ordered by
    // insertion or by transaction id), some roll back, some write several events at once.
    const writer = async (w: number) => {
      for (let i = 0; i < 30; i++) {
        const subject = subjects[(w + i * 7) % subjects.length];
        const rollback = Math.random() < 0.1;
        try {
          const events = await dataSource.transaction(async (em) => {
            if (Math.random() < 0.5) await em.query(`SELECT txid_current()`);
            await em.query(`SELECT pg_sleep($1)`, [Math.random() * 0.03]);
            const recorded = await outbox.appendMany(
              em,
              Array.from({ length: 1 + (i % 3) }, () => ({
                type: 'user.updated' as const,
                tenant: w % 2 === 0 ? acme : globex,
                subject: { type: 'user' as const, id: subject },
                data: { writer: w, i },
              })),
            );
            await em.query(`SELECT pg_sleep($1)`, [Math.random() < 0.2 ? 0.15 : Math.random() * 0.02]);
            if (rollback) {
              for (const event of recorded) rolledBack.add(event.id);
              throw new Error('rolled back on purpose');
            }
            return recorded;
          });
          for (const event of events) committed.add(event.id);
        } catch (error) {
          if (!rollback) throw error;
        }
      }
    };
    // Stampers race, as worker replicas would; the lock lets one at a time through. The relay's
    // rounds stamp and publish together (Redis taking the batch or not), the FeedStamper's only stamp.
    const published = new Set<string>();
    let publishedTwice = 0;
    const stamping = async () => {
      while (writing) {
        await stamper.stampBatch(Math.random() < 0.5 ? 5 : 1000);
        await sleep(Math.random() * 10);
      }
    };
    const relaying = async () => {
      while (writing) {
        await stamper.stampAndPublish(Math.random() < 0.5 ? 5 : 500, 7_401_955_121, (ids) => {
          const taken = Math.random() < 0.7;
          for (const id of taken ? ids : []) {
            if (published.has(id)) publishedTwice++;
            published.add(id);
          }
          return Promise.resolve(taken);
        });
        await sleep(Math.random() * 10);
      }
    };
    // The reader follows the cursor with small pages while everything else runs.
    const read: IdentityEvent[] = [];
    let cursor: string | undefined;
    const reading = async () => {
      while (writing) {
        const { page } = await feed.read(EVERY_TENANT, query({ after: cursor && decodeFeedCursor(cursor), limit: 7 }));
        read.push(...page.data);
        cursor = page.nextCursor;
        if (!page.hasMore) await sleep(Math.random() * 15);
      }
    };

    const background = Promise.all([stamping(), relaying(), relaying(), reading()]);
    await Promise.all(Array.from({ length: 12 }, (_, w) => writer(w)));
    writing = false;
    await background;
    await stamper.stampAll();
    read.push(...(await readToEnd(cursor)).events);

    expect(committed.size).toBeGreaterThan(500);
    expect(rolledBack.size).toBeGreaterThan(0);
    const ids = read.map((event) => event.id);
    expect(new Set(ids).size).toBe(ids.length); // nothing repeated
    expect(new Set(ids)).toEqual(committed); // nothing skipped, nothing rolled back
    // The hazard happened: rows became visible out of insertion order (a reader following the
    // insertion position would have stepped past the late ones), yet none was skipped above.
    const [{ overtaken }] = await db.query<{ overtaken: number }>(
      `SELECT count(*)::int AS overtaken FROM outbox_events a JOIN outbox_events b
         ON a.position < b.position AND a.feed_position > b.feed_position
       WHERE a.subject_id = ANY($1) AND b.subject_id = ANY($1)`,
      [subjects],
    );
    expect(overtaken).toBeGreaterThan(0);
    // The relay's rounds published exactly the rows Redis took, each once, and none before its stamp.
    const rows = await db.query<{ id: string; published: boolean; stamped: boolean }>(
      `SELECT id, published_at IS NOT NULL AS published, feed_position IS NOT NULL AS stamped FROM outbox_events
       WHERE subject_id = ANY($1)`,
      [subjects],
    );
    expect(rows.every((row) => row.stamped)).toBe(true);
    expect(published.size).toBeGreaterThan(0);
    expect(publishedTwice).toBe(0);
    expect(new Set(rows.filter((row) => row.published).map((row) => row.id))).toEqual(published);
    // Each subject's events arrive in sequence order, with no gap: 1, 2, 3, …
    for (const subject of subjects) {
      const sequences = read.filter((event) => event.subject.id === subject).map((event) => event.sequence);
      expect(sequences).toEqual(Array.from({ length: sequences.length }, (_, i) => i + 1));
    }
  });

  it('serves the same objects webhooks carry, filtered by type and tenant', async () => {
    const { cursor: start } = await readToEnd(undefined);
    const created = await record(acme, randomUUID(), 1, 'user.created');
    const deleted = await record(globex, randomUUID(), 1, 'user.deleted');
    await record(acme, randomUUID(), 2, 'user.updated');
    await stamper.stampAll();

    const all = await readToEnd(start);
    expect(all.events).toHaveLength(4);
    expect(all.events[0]).toEqual(created[0]);
    expect((await readToEnd(start, { types: ['user.created', 'user.deleted'] })).events).toEqual([
      created[0],
      deleted[0],
    ]);
    expect((await readToEnd(start, { tenant: 'globex' })).events).toEqual([deleted[0]]);
    // A client limited to acme reads only acme's events, and may not ask for globex.
    const acmeOnly: ReaderAccess = { clientId: 'acme-only', tenants: ['acme'] };
    expect((await readToEnd(start, {}, acmeOnly)).events.map((event) => event.tenant.slug)).toEqual([
      'acme',
      'acme',
      'acme',
    ]);
    await expect(feed.read(acmeOnly, query({ tenant: 'globex' }))).rejects.toMatchObject({ code: 'forbidden' });
    await expect(feed.read(EVERY_TENANT, query({ tenant: 'nowhere' }))).rejects.toMatchObject({ code: 'not_found' });
  });

  it('hands out a cursor at the end too, and moves it past what a filter skipped', async () => {
    const { cursor: start } = await readToEnd(undefined);
    await record(acme, randomUUID(), 3, 'user.updated');
    await stamper.stampAll();
    const { page } = await feed.read(EVERY_TENANT, query({ after: decodeFeedCursor(start), types: ['group.deleted'] }));
    expect(page).toEqual({ data: [], nextCursor: expect.any(String), hasMore: false });
    expect(BigInt(decodeFeedCursor(page.nextCursor)!)).toBe(BigInt(decodeFeedCursor(start)!) + 3n);
  });

  it('refuses a cursor beyond the head, which no feed position had', async () => {
    const [{ head }] = await db.query<{ head: string }>(`SELECT head::text FROM events_feed`);
    await expect(feed.read(EVERY_TENANT, query({ after: (BigInt(head) + 10n).toString() }))).rejects.toMatchObject({
      code: 'invalid_request',
    });
  });

  it('wakes a long-polling reader when an event is stamped, and times out empty otherwise', async () => {
    const { cursor } = await readToEnd(undefined);
    const startedAt = Date.now();
    const empty = await feed.read(EVERY_TENANT, query({ after: decodeFeedCursor(cursor), waitSeconds: 1 }));
    expect(empty.page).toEqual({ data: [], nextCursor: cursor, hasMore: false });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(950);

    const waiting = feed.read(EVERY_TENANT, query({ after: decodeFeedCursor(cursor), waitSeconds: 20 }));
    await sleep(300);
    const [event] = await record(acme, randomUUID());
    const committedAt = Date.now();
    await stamper.stampAll();
    const { page } = await waiting;
    const latency = Date.now() - committedAt;
    expect(page.data).toEqual([event]);
    // Woken by NOTIFY, not by the 20 s timeout (generous: a busy machine is slow, never that slow).
    expect(latency).toBeLessThan(5000);
  });

  it('expires cursors older than the retention, and starts a reader without one at the oldest retained event', async () => {
    const { cursor: beforeOld } = await readToEnd(undefined);
    const old = await record(acme, randomUUID(), 2);
    await stamper.stampAll();
    const { cursor: afterOld } = await readToEnd(beforeOld);
    const recent = await record(acme, randomUUID(), 1);
    await stamper.stampAll();
    // Everything so far is old and fanned out, except the recent event.
    await db.query(
      `UPDATE outbox_events SET occurred_at = now() - interval '100 days', fanned_out_at = now() WHERE id <> $1`,
      [recent[0].id],
    );
    await db.query(`UPDATE outbox_events SET fanned_out_at = now() WHERE id = $1`, [recent[0].id]);
    const repository = new EventsFeedRepository(dataSource);
    let passed = 0;
    for (let step; (step = await repository.prune(90 * 86_400_000, 1000)) > 0;) passed += step;
    expect(passed).toBeGreaterThan(0);
    expect(await db.query(`SELECT 1 FROM outbox_events WHERE id = ANY($1::uuid[])`, [old.map((e) => e.id)])).toEqual(
      [],
    );

    await expect(feed.read(EVERY_TENANT, query({ after: decodeFeedCursor(beforeOld) }))).rejects.toBeInstanceOf(
      CursorExpiredError,
    );
    // The horizon itself is still a valid place to go on from: nothing after it was pruned.
    expect((await readToEnd(afterOld)).events).toEqual([recent[0]]);
    expect((await readToEnd(undefined)).events).toEqual([recent[0]]);
  });

  it('answers parked long-polls at once when the app shuts down (the HTTP server waits for them)', async () => {
    const { cursor } = await readToEnd(undefined);
    const startedAt = Date.now();
    const waiting = feed.read(EVERY_TENANT, query({ after: decodeFeedCursor(cursor), waitSeconds: 25 }));
    await sleep(200);
    notifications.beforeApplicationShutdown();
    const { page } = await waiting;
    expect(page).toEqual({ data: [], nextCursor: cursor, hasMore: false });
    expect(Date.now() - startedAt).toBeLessThan(10_000);
  });
});
