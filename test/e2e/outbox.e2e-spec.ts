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

  it('notifies listeners on commit, and not on rollback', async () => {
    const listener = await dataSource.driver
      .obtainMasterConnection()
      .then(([client, release]) => ({ client, release }));
    const client = listener.client as import('pg').PoolClient;
    const notifications: string[] = [];
    client.on('notification', (message) => notifications.push(message.channel));
    await client.query('LISTEN outbox_events');
    try {
      await dataSource.transaction((em) => outbox.append(em, event('u-notify'))).catch(() => undefined);
      await dataSource
        .transaction(async (em) => {
          await outbox.append(em, event('u-notify'));
          throw new Error('rollback');
        })
        .catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(notifications).toEqual(['outbox_events']);
    } finally {
      await client.query('UNLISTEN outbox_events');
      (listener.release as () => void)();
    }
  });
});
