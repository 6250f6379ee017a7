import { randomBytes } from 'node:crypto';

/**
 * Where the tests find PostgreSQL and Redis. Every run works in databases and
 * Redis keys named after its own run id, so two runs never collide.
 */
export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The run id set by the global setup (or a fresh one when a file runs alone). */
export function runId(): string {
  process.env.GW_TEST_RUN ??= randomBytes(4).toString('hex');
  return process.env.GW_TEST_RUN;
}

/** Name prefix of every database this run creates. */
export function databasePrefix(): string {
  return `gwt_${runId()}_`;
}

export function templateDatabase(): string {
  return `${databasePrefix()}template`;
}

/** Prefix of every Redis key this run writes. */
export function redisPrefix(): string {
  return `gwt-${runId()}`;
}

/** The URL of another database on the test server. */
export function databaseUrl(name: string): string {
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return url.toString();
}
