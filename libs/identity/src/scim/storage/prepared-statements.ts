import { Query, type Pool, type PoolClient, type QueryResult } from 'pg';
import { EntityManager, QueryFailedError } from 'typeorm';

/**
 * Runs one SQL statement of the SCIM hot path as a named prepared statement of `pg`, on the
 * connection of `em`'s transaction, or on the pool when `em` is the data source's own manager.
 *
 * Why not `em.query`: TypeORM gives every call a query runner of its own and sends the text
 * unprepared, so PostgreSQL parses and plans it each time; on a lookup by id that was most of its
 * CPU and a tenth of the app's (docs/PERFORMANCE.md). Named, a statement is parsed once per
 * connection. Errors are wrapped in TypeORM's QueryFailedError as `em.query` does, so
 * uniqueness, retries (`transaction`) and error mapping see what they always saw.
 *
 * Names are given to at most MAX_NAMED distinct texts per process: SCIM filters make the text
 * vary with their shape (never with their values, which are parameters), and each name costs a
 * cached plan on every pooled connection. Beyond the cap, a text runs unnamed.
 */
export async function runStatement<Row>(
  em: EntityManager,
  text: string,
  values: readonly unknown[],
  /** False for a text unlikely to come again (an OFFSET written into it): it runs unnamed. */
  prepare = true,
): Promise<Row[]> {
  const connection = connectionOf(em);
  if (!connection) return em.query<Row[]>(text, [...values]);
  try {
    const result = await submit(connection, text, [...values], prepare ? nameOf(text) : undefined);
    return result.rows as Row[];
  } catch (error) {
    throw new QueryFailedError(text, [...values], error as Error);
  }
}

/** What runStatement needs of a pool or a pooled client: pg's query method given a Query and a callback. */
interface Submitter {
  query(query: Query, callback: (error: Error | undefined, result: QueryResult) => void): unknown;
}

/**
 * Sends `text` as a pg Query built from the text itself, its name set afterwards. Why not
 * `query({ name, text, values })`: pg copies a configuration object property by property
 * (`Object.getOwnPropertyDescriptors`) before it sends it, about 5 µs of a SCIM lookup in the
 * profile (docs/PERFORMANCE.md); a text is taken as it is, and the name only decides, when the
 * query is sent, that it is parsed once per connection. A pool and a client alike attach the
 * callback to a Query passed this way (the pool its own, which releases the client first).
 */
function submit(
  connection: Submitter,
  text: string,
  values: unknown[],
  name: string | undefined,
): Promise<QueryResult> {
  const query = new Query(text, values);
  if (name !== undefined) (query as { name?: string }).name = name;
  return new Promise((resolve, reject) => {
    connection.query(query, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

/**
 * `prepare` for a statement over a table that grows from empty (the outbox on a new install): a
 * named statement keeps the generic plan PostgreSQL settles on after its first runs, and one
 * settled on while the table was nearly empty stays until the table is next analysed. Seen in a
 * benchmark: the relay's round, prepared at start, ran for seconds once the outbox held 30,000
 * rows, and fell thousands of events behind; planned at each run, it took milliseconds. Unnamed,
 * a statement is planned for the table as it is now (a fraction of a millisecond each time).
 */
export const PLANNED_EACH_TIME = false;

const MAX_NAMED = 200;
const names = new Map<string, string>();

function nameOf(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMED) {
    name = `gw_scim_${names.size}`;
    names.set(text, name);
  }
  return name;
}

/** The pg client of `em`'s transaction, or the pool outside one; undefined when TypeORM has none ready. */
function connectionOf(em: EntityManager): Submitter | undefined {
  const runner = em.queryRunner as { databaseConnection?: PoolClient; isReleased?: boolean } | undefined;
  if (runner) return runner.isReleased ? undefined : runner.databaseConnection;
  if (em.connection.options.type !== 'postgres') return undefined;
  return (em.connection.driver as unknown as { master?: Pool }).master;
}
