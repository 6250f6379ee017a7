import { DataSource } from 'typeorm';
import { NewIdentityEvent, OutboxService, dataSourceOptions } from '@app/identity';
import { TestDatabase, createTestDatabase } from '../support/test-database';

describe('the outbox', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  const outbox = new OutboxService();
  const tenant = { id: '6f1b1f9e-5a8e-4c55-9b55-0c8a7c2f2a10', slug: 'acme' };
  const event = (subjectId: string, type: NewIdentityEvent['type'] = 'user.updated'): NewIdentityEvent => ({
    type,
    tenant,
    subject: { type: 'user', id: subjectId },
    data: { id: subjectId, userName: 'ann@acme.com' },
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await new DataSource(dataSourceOptions(db.url)).initialize();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  it('records an event in the caller’s transaction, with the shape subscribers receive', async () => {
    const recorded = await dataSource.transaction((em) => outbox.append(em, event('u-1', 'user.created')));
    expect(recorded).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'user.created',
      occurredAt: expect.any(String),
      tenant,
      subject: { type: 'user', id: 'u-1' },
      sequence: 1,
      data: { id: 'u-1', userName: 'ann@acme.com' },
    });
    const rows = await db.query<{ payload: unknown; published_at: Date | null }>(
      'SELECT payload, published_at FROM outbox_events WHERE id = $1',
      [recorded.id],
    );
    expect(rows).toEqual([{ payload: recorded, published_at: null }]);
  });

  it('numbers the changes of each subject with a rising sequence of its own', async () => {
    const sequences: number[] = [];
    for (const subject of ['u-2', 'u-2', 'u-3', 'u-2']) {
      sequences.push((await dataSource.transaction((em) => outbox.append(em, event(subject)))).sequence);
    }
    expect(sequences).toEqual([1, 2, 1, 3]);
  });

  it('keeps sequences gap-free and distinct under concurrent changes of one subject', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => dataSource.transaction((em) => outbox.append(em, event('u-concurrent')))),
    );
    expect(results.map((r) => r.sequence).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('writes nothing when the change rolls back', async () => {
    await expect(
      dataSource.transaction(async (em) => {
        await outbox.append(em, event('u-rolled-back'));
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await db.query(`SELECT 1 FROM outbox_events WHERE subject_id = 'u-rolled-back'`)).toHaveLength(0);
    // The sequence was not consumed either: the next committed change is number 1.
    expect((await dataSource.transaction((em) => outbox.append(em, event('u-rolled-back')))).sequence).toBe(1);
  });

  /** Listens on the relay's channel, noting when each notification arrived. */
  async function listen(): Promise<{
    readonly received: { readonly at: number }[];
    next(timeoutMs: number): Promise<boolean>;
    stop(): Promise<void>;
  }> {
    const [connection, release] = await dataSource.driver.obtainMasterConnection();
    const client = connection as import('pg').PoolClient;
    const received: { at: number }[] = [];
    let waiter: (() => void) | undefined;
    client.on('notification', () => {
      received.push({ at: performance.now() });
      waiter?.();
    });
    await client.query('LISTEN outbox_events');
    // A wake-up an earlier test's commit still had in flight is not this test's to count.
    await new Promise((resolve) => setTimeout(resolve, 50));
    received.length = 0;
    return {
      received,
      next: (timeoutMs) =>
        new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), timeoutMs);
          waiter = () => {
            clearTimeout(timer);
            resolve(true);
          };
        }),
      stop: async () => {
        await client.query('UNLISTEN outbox_events');
        (release as () => void)();
      },
    };
  }

  it('wakes the relay on commit, and not on rollback', async () => {
    const listener = await listen();
    try {
      await dataSource.transaction((em) => outbox.append(em, event('u-notify')));
      await dataSource
        .transaction(async (em) => {
          await outbox.append(em, event('u-notify'));
          throw new Error('rollback');
        })
        .catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(listener.received).toHaveLength(1);
    } finally {
      await listener.stop();
    }
  });

  it('wakes the relay only once the transaction has committed, not while it is open', async () => {
    const listener = await listen();
    try {
      await dataSource.transaction(async (em) => {
        await outbox.append(em, event('u-open'));
        // The writer's own transaction sends no NOTIFY: nothing is heard while it stays open.
        expect(await listener.next(150)).toBe(false);
      });
      const committedAt = performance.now();
      expect(await listener.next(1000)).toBe(true);
      expect(listener.received[0]?.at).toBeGreaterThanOrEqual(committedAt);
      expect(await db.query(`SELECT 1 FROM outbox_events WHERE subject_id = 'u-open'`)).toHaveLength(1);
    } finally {
      await listener.stop();
    }
  });

  it('wakes the relay after a single statement that appended outside a transaction', async () => {
    const listener = await listen();
    try {
      const append = outbox.appendStatement([event('u-statement')], 1, new Date().toISOString());
      await dataSource.query(`WITH ${append.ctes} SELECT next.base FROM next`, [...append.values]);
      append.wakeRelayAfter(dataSource.manager);
      expect(await listener.next(1000)).toBe(true);
    } finally {
      await listener.stop();
    }
  });

  it('wakes the relay after the last of many concurrent commits (wake-ups asked for meanwhile are gathered)', async () => {
    const listener = await listen();
    try {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) => dataSource.transaction((em) => outbox.append(em, event(`u-many-${i}`)))),
      );
      const lastCommit = performance.now();
      // Wake-ups in flight may land just after; wait for them to settle.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(listener.received.length).toBeGreaterThanOrEqual(1);
      expect(listener.received.at(-1)?.at).toBeGreaterThanOrEqual(lastCommit);
    } finally {
      await listener.stop();
    }
  });
});
