import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { NewIdentityEvent, OutboxService, dataSourceOptions } from '@app/identity';
import { DeliveryRepository } from '@app/identity/deliveries/delivery.repository';
import { TestDatabase, createTestDatabase } from '../support/test-database';

/** The fan-out of a relay round's batch in one statement (real PostgreSQL): order, idempotence, bad ids. */
describe('events: the batch fan-out statement', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let deliveries: DeliveryRepository;
  const outbox = new OutboxService();
  const acme = { id: randomUUID(), slug: 'acme' };
  const hook = randomUUID();

  const record = (subjectId: string, count = 1, type: NewIdentityEvent['type'] = 'user.updated') =>
    dataSource.transaction((em) =>
      outbox.appendMany(
        em,
        Array.from({ length: count }, () => ({
          type,
          tenant: acme,
          subject: { type: 'user' as const, id: subjectId },
          data: { id: subjectId },
        })),
      ),
    );
  const fannedOut = async (ids: string[]) =>
    (
      await db.query<{ id: string }>(
        `SELECT id FROM outbox_events WHERE id = ANY($1::uuid[]) AND fanned_out_at IS NOT NULL ORDER BY position`,
        [ids],
      )
    ).map((row) => row.id);

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await new DataSource(dataSourceOptions(db.url)).initialize();
    await db.query(`INSERT INTO tenants (id, slug, name) VALUES ($1, 'acme', 'Acme')`, [acme.id]);
    await db.query(
      `INSERT INTO subscriptions (id, name, kind, url, secret_sealed, events)
       VALUES ($1, 'all', 'webhook', 'https://hooks.example/in', '\\x00', '{user.*}')`,
      [hook],
    );
    deliveries = new DeliveryRepository(dataSource);
  });
  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  it('records a batch’s events with their deliveries in position order, a subject’s changes together', async () => {
    const a = await record('a', 3);
    const b = await record('b');
    const ids = [...a, ...b].map((event) => event.id);
    const result = await deliveries.fanOutBatch(ids);
    expect(result.recorded.map((r) => r.event.id)).toEqual(ids);
    expect(result.recorded.map((r) => r.deliveries.map((d) => d.subscriptionId))).toEqual(ids.map(() => [hook]));
    // Recorded before this statement: nothing holds them (the caller orders a subscriber's chain in the batch).
    expect(result.recorded.flatMap((r) => r.deliveries.map((d) => d.heldByAttempts))).toEqual(ids.map(() => null));
    expect(result.replayed).toEqual([]);
    expect(result.waiting).toEqual([]);
    expect(await fannedOut(ids)).toEqual(ids);
    // The delivery log, newest first, lists them in the events' order reversed.
    const log = await db.query<{ eventId: string }>(
      `SELECT event_id AS "eventId" FROM deliveries WHERE event_id = ANY($1::uuid[]) ORDER BY created_at DESC, id DESC`,
      [ids],
    );
    expect(log.map((row) => row.eventId)).toEqual([...ids].reverse());
  });

  it('holds a subject’s changes whose earlier change is in another batch not fanned out yet, and no other', async () => {
    const [first, second] = await record('c', 2);
    const [third] = await record('c');
    const other = await record('d');
    const later = await deliveries.fanOutBatch([second.id, third.id, other[0].id]);
    expect(later.recorded.map((r) => r.event.id)).toEqual([other[0].id]);
    expect(later.waiting).toEqual([second.id, third.id]);
    expect(await fannedOut([second.id, third.id])).toEqual([]);

    const earlier = await deliveries.fanOutBatch([first.id]);
    expect(earlier.recorded.map((r) => r.event.id)).toEqual([first.id]);
    const again = await deliveries.fanOutBatch(later.waiting);
    expect(again.recorded.map((r) => r.event.id)).toEqual([second.id, third.id]);
    // Now `first`'s delivery is pending from before this statement: the next change's delivery is held behind it.
    expect(again.recorded[0].deliveries[0].heldByAttempts).toBe(0);
  });

  it('takes a subject’s changes in a batch only up to a hole in their sequence', async () => {
    const [one, two, three] = await record('e', 3);
    const result = await deliveries.fanOutBatch([one.id, three.id]);
    expect(result.recorded.map((r) => r.event.id)).toEqual([one.id]);
    expect(result.waiting).toEqual([three.id]);
    expect((await deliveries.fanOutBatch([two.id, three.id])).recorded.map((r) => r.event.id)).toEqual([
      two.id,
      three.id,
    ]);
  });

  it('finds a batch fanned out before replayed, recording no delivery twice', async () => {
    const events = await record('f', 2);
    const ids = events.map((event) => event.id);
    await deliveries.fanOutBatch(ids);
    const replay = await deliveries.fanOutBatch(ids);
    expect(replay).toEqual({ recorded: [], replayed: ids, waiting: [] });
    const [{ count }] = await db.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM deliveries WHERE event_id = ANY($1::uuid[])`,
      [ids],
    );
    expect(count).toBe(2);
    expect((await deliveries.pendingOfEvents(ids)).map((d) => d.subscriptionId)).toEqual([hook, hook]);
  });

  it('ignores ids that are no outbox event or no uuid, changing nothing', async () => {
    const before = await db.query(`SELECT count(*)::int AS count FROM deliveries`);
    expect(await deliveries.fanOutBatch([randomUUID(), 'not-a-uuid', ''])).toEqual({
      recorded: [],
      replayed: [],
      waiting: [],
    });
    expect(await deliveries.fanOutBatch([])).toEqual({ recorded: [], replayed: [], waiting: [] });
    expect(await db.query(`SELECT count(*)::int AS count FROM deliveries`)).toEqual(before);
  });
});
