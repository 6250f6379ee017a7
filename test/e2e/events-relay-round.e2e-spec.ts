import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { NewIdentityEvent, OutboxService, dataSourceOptions } from '@app/identity';
import { DeliveryRepository } from '@app/identity/deliveries/delivery.repository';
import { FeedStamper } from '@app/identity/events-feed/feed-stamper';
import { TestDatabase, createTestDatabase } from '../support/test-database';

const RELAY_LOCK_KEY = 4_242;

interface Marks {
  readonly id: string;
  readonly stamped: boolean;
  readonly published: boolean;
  readonly fannedOut: boolean;
}

/**
 * The relay's round (real PostgreSQL): what it hands to the fan-out queue, and what it marks
 * fanned out itself because no subscription selects it.
 */
describe('events: the relay round', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let stamper: FeedStamper;
  let deliveries: DeliveryRepository;
  const outbox = new OutboxService();
  const acme = { id: randomUUID(), slug: 'acme' };
  const globex = { id: randomUUID(), slug: 'globex' };

  const record = (tenant: typeof acme, subjectId: string, types: NewIdentityEvent['type'][]) =>
    dataSource.transaction((em) =>
      outbox.appendMany(
        em,
        types.map((type) => ({ type, tenant, subject: { type: 'user' as const, id: subjectId }, data: {} })),
      ),
    );
  /** One round; returns the ids it handed to the fan-out queue (null: it did not ask). */
  const round = async (accept = true): Promise<string[] | null> => {
    let handed: string[] | null = null;
    await stamper.stampAndPublish(500, RELAY_LOCK_KEY, (ids) => {
      handed = ids;
      return Promise.resolve(accept);
    });
    return handed;
  };
  const marks = async (ids: string[]): Promise<Marks[]> =>
    db.query<Marks>(
      `SELECT id, feed_position IS NOT NULL AS stamped, published_at IS NOT NULL AS published,
              fanned_out_at IS NOT NULL AS "fannedOut"
       FROM outbox_events WHERE id = ANY($1::uuid[]) ORDER BY position`,
      [ids],
    );
  const marked = (ids: string[], stamped: boolean, published: boolean, fannedOut: boolean): Marks[] =>
    ids.map((id) => ({ id, stamped, published, fannedOut }));

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await new DataSource(dataSourceOptions(db.url)).initialize();
    stamper = new FeedStamper(dataSource);
    deliveries = new DeliveryRepository(dataSource);
    await db.query(`INSERT INTO tenants (id, slug, name) VALUES ($1, 'acme', 'Acme'), ($2, 'globex', 'Globex')`, [
      acme.id,
      globex.id,
    ]);
    // Acme's product hears of creations and deactivations; a disabled subscription would hear of everything.
    await db.query(
      `INSERT INTO subscriptions (id, name, kind, url, secret_sealed, events, tenant_id, enabled)
       VALUES (gen_random_uuid(), 'acme-lifecycle', 'webhook', 'https://hooks.example/acme', '\\x00',
               '{user.created,user.deactivated}', $1, true),
              (gen_random_uuid(), 'off', 'webhook', 'https://hooks.example/off', '\\x00', '{*}', NULL, false)`,
      [acme.id],
    );
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('marks events no subscription selects fanned out as it publishes them, without asking Redis', async () => {
    // Globex has no subscription, and the disabled one selects nothing: its creation and the update behind it.
    const events = (await record(globex, 'g1', ['user.created', 'user.updated'])).map((event) => event.id);

    expect(await round()).toBeNull();

    expect(await marks(events)).toEqual(marked(events, true, true, true));
  });

  it('hands an event a subscription selects to the fan-out queue, and leaves its fan-out to it', async () => {
    const [created] = await record(acme, 'a1', ['user.created']);

    expect(await round()).toEqual([created.id]);

    expect(await marks([created.id])).toEqual(marked([created.id], true, true, false));
  });

  it('hands on a change nothing selects while the change before it of its subject waits for its fan-out', async () => {
    const [created, updated] = await record(acme, 'a2', ['user.created', 'user.updated']);

    // Both in one round: the update follows the creation through the fan-out, in order.
    expect(await round()).toEqual([created.id, updated.id]);
    const [next] = await record(acme, 'a2', ['user.updated']);
    // Its predecessor (the update) is not fanned out yet: handed on as well.
    expect(await round()).toEqual([next.id]);

    const fanned = await deliveries.fanOutBatch([created.id, updated.id, next.id]);
    expect(fanned.recorded.map((r) => [r.event.id, r.deliveries.length])).toEqual([
      [created.id, 1],
      [updated.id, 0],
      [next.id, 0],
    ]);
    // Once they are fanned out, a later change nothing selects is done by the round itself.
    const [last] = await record(acme, 'a2', ['user.updated']);
    expect(await round()).toBeNull();
    expect(await marks([last.id])).toEqual(marked([last.id], true, true, true));
  });

  it('when Redis does not take the batch, stamps the round’s events and marks none published or fanned out', async () => {
    const [created, updated] = await record(acme, 'a3', ['user.created', 'user.updated']);
    const [other] = await record(globex, 'g2', ['user.updated']);

    expect(await round(false)).toEqual([created.id, updated.id]);

    expect(await marks([created.id, updated.id, other.id])).toEqual(
      marked([created.id, updated.id, other.id], true, false, false),
    );
    // Redis back: the next round publishes them all, handing on only what needs the fan-out.
    expect(await round()).toEqual([created.id, updated.id]);
    expect(await marks([created.id, updated.id, other.id])).toEqual([
      ...marked([created.id, updated.id], true, true, false),
      ...marked([other.id], true, true, true),
    ]);
  });
});
