import type { DataSource, EntityManager, EntitySubscriberInterface, TransactionCommitEvent } from 'typeorm';

/** The PostgreSQL channel notified when outbox rows commit, so the relay wakes at once. */
export const OUTBOX_CHANNEL = 'outbox_events';

/** Marks a TypeORM transaction (its QueryRunner's `data`) that appended outbox rows. */
const APPENDED = 'outboxAppended';

/**
 * Wakes the outbox relay after a commit that appended events, with a NOTIFY of its own rather than one in the
 * writer's transaction. PostgreSQL takes one lock for every transaction that notifies, from its pre-commit until
 * its commit record is flushed; a NOTIFY inside each writer made every change wait for the previous one's disk
 * flush (no group commit), and one slow flush stalled every writer of every tenant behind it.
 *
 * The wake-up's own statement commits asynchronously (`synchronous_commit` off: it changes no data, so it has
 * nothing to make durable) and at most one is in flight per database: wake-ups asked for meanwhile become one
 * more after it. The relay's poll (every second) still finds rows whose wake-up was lost, for instance when this
 * process stopped between its commit and its NOTIFY.
 */
export class RelayWakeUp implements EntitySubscriberInterface {
  private sending = false;
  private again = false;

  private constructor(private readonly dataSource: DataSource) {}

  /** The wake-up of `dataSource`, registered once as its subscriber (so it hears of every commit). */
  static of(dataSource: DataSource): RelayWakeUp {
    let wakeUp = registered.get(dataSource);
    if (!wakeUp) {
      wakeUp = new RelayWakeUp(dataSource);
      dataSource.subscribers.push(wakeUp);
      registered.set(dataSource, wakeUp);
    }
    return wakeUp;
  }

  /**
   * To be called once outbox rows were written through `em`: inside a transaction, the relay is woken when it
   * commits (never on rollback); outside one, the statement has committed and the relay is woken now.
   */
  afterAppend(em: EntityManager): void {
    const transaction = em.queryRunner;
    if (transaction?.isTransactionActive) transaction.data[APPENDED] = true;
    else this.wake();
  }

  /** TypeORM calls this after every COMMIT (and savepoint release) of the data source. */
  afterTransactionCommit(event: TransactionCommitEvent): void {
    const transaction = event.queryRunner;
    if (transaction.isTransactionActive || !transaction.data[APPENDED]) return;
    delete transaction.data[APPENDED];
    this.wake();
  }

  private wake(): void {
    if (this.sending) {
      this.again = true;
      return;
    }
    this.sending = true;
    void this.send();
  }

  private async send(): Promise<void> {
    do {
      this.again = false;
      if (!this.dataSource.isInitialized) break;
      await this.dataSource
        .query(`SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, '')`, [OUTBOX_CHANNEL])
        // A wake-up that could not be sent (database unreachable, pool closing) is left to the relay's poll.
        .catch(() => undefined);
    } while (this.again);
    this.sending = false;
  }
}

const registered = new WeakMap<DataSource, RelayWakeUp>();
