import { FanOutJob, QueueName } from '@app/identity/deliveries/delivery-jobs';
import { EventQueues } from '@app/identity/deliveries/event-queues';
import { OutboxRelayService } from '../../apps/worker/src/outbox/outbox-relay.service';
import { EventsGateway, startEventsGateway } from '../support/events-gateway';

/** Positions of the relayed rows: they cross from four digits to five, where text order and number order part. */
const FIRST = 9_400;
const COUNT = 1_200;

/**
 * After Redis lost its data, the relay re-adds the fan-out of every event it relayed that was
 * not fanned out yet, page by page in position order. The pages must follow the positions as
 * numbers: compared as text, "10000" sorts before "9400", and a page's last position is not
 * where the next page starts.
 */
describe('outbox relay: re-adding the fan-outs lost with Redis', () => {
  let gateway: EventsGateway;

  beforeAll(async () => {
    gateway = await startEventsGateway();
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('re-adds every relayed event not fanned out, across pages whose positions change in length', async () => {
    const tenant = await gateway.tenant('repair-pages');
    // The fan-out queue paused: the jobs wait in Redis and nothing marks the rows fanned out meanwhile.
    const fanOut = gateway.worker!.get(EventQueues).queue(QueueName.FanOut);
    await fanOut.pause();
    // Relayed (published and stamped) two minutes ago, never fanned out. Feed positions far above the head,
    // which the stamper never reaches in this test.
    await gateway.db.query(
      `INSERT INTO outbox_events (position, id, tenant_id, type, subject_type, subject_id, sequence, occurred_at,
                                  payload, published_at, feed_position)
       OVERRIDING SYSTEM VALUE
       SELECT p, gen_random_uuid(), $1, 'user.created', 'user', gen_random_uuid()::text, 1,
              now() - interval '2 minutes', '{}'::jsonb, now() - interval '2 minutes', 1000000000000 + p
       FROM generate_series($2::bigint, $3::bigint) AS p`,
      [tenant.id, FIRST, FIRST + COUNT - 1],
    );

    const readded = await gateway.worker!.get(OutboxRelayService).repairAfterDataLoss();

    expect(readded).toBe(COUNT);
    const ids = await gateway.db.query<{ id: string }>(
      `SELECT id FROM outbox_events WHERE position BETWEEN $1 AND $2`,
      [FIRST, FIRST + COUNT - 1],
    );
    const jobs = await fanOut.getJobs(['waiting'], 0, -1);
    const queued = new Set(
      jobs.flatMap(({ data }: { data: FanOutJob }) => ('eventId' in data ? [data.eventId] : data.eventIds)),
    );
    expect(ids.filter(({ id }) => !queued.has(id))).toEqual([]);
  }, 60_000);
});
