import { DataSource, EntityManager, QueryFailedError } from 'typeorm';

/** PostgreSQL aborts one of two transactions that wait on each other; running it again succeeds. */
const RETRYABLE = new Set(['40P01' /* deadlock_detected */, '40001' /* serialization_failure */]);
const ATTEMPTS = 3;

/**
 * Runs `work` in a transaction, again (up to three times in all) when
 * PostgreSQL aborted it for a deadlock or a serialization failure, e.g. a
 * user deleted while one of their groups is patched. `work` must be safe to
 * repeat: everything it did was rolled back.
 */
export async function transaction<T>(dataSource: DataSource, work: (em: EntityManager) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await dataSource.transaction(work);
    } catch (error) {
      const code = error instanceof QueryFailedError ? (error.driverError as { code?: string }).code : undefined;
      if (attempt >= ATTEMPTS || code === undefined || !RETRYABLE.has(code)) throw error;
    }
  }
}
