/**
 * Tells the database failures a caller should retry (503 with Retry-After)
 * from bugs (500). node-postgres raises them as errors with a SQLSTATE `code`,
 * a Node.js errno `code`, or only a message; TypeORM wraps a failed query's
 * error in QueryFailedError, under `driverError`.
 */

/** What went wrong with the database, when it is no bug of ours. */
export type DatabaseFailure =
  /** A statement ran out of its time (statement_timeout), or the wait for a pooled connection did. */
  | 'timeout'
  /** PostgreSQL cannot be reached, went away, or refuses connections for now. */
  | 'unavailable';

/** When a caller should try again after a database failure. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

// SQLSTATE classes and codes (PostgreSQL, Appendix A) that mean "not now" rather than "wrong".
const TIMEOUT_CODES: ReadonlySet<string> = new Set(['57014' /* query_canceled: statement_timeout */]);
const UNAVAILABLE_CODES: ReadonlySet<string> = new Set([
  '57P01', // admin_shutdown, also pg_terminate_backend
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up, shutting down, in recovery
  '53300', // too_many_connections
  '53400', // configuration_limit_exceeded
]);
const CONNECTION_EXCEPTION_CLASS = '08';
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EPIPE',
]);
// node-postgres and pg-pool raise these without a code.
const TIMEOUT_MESSAGES = ['timeout exceeded when trying to connect', 'Connection terminated due to connection timeout'];
const UNAVAILABLE_MESSAGES = [
  'Connection terminated unexpectedly',
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
];

/** The database failure `error` stands for, or undefined when it is something else. */
export function databaseFailure(error: unknown): DatabaseFailure | undefined {
  for (const candidate of [error, driverErrorOf(error)]) {
    // Read by shape, not instanceof: Node's socket errors may come from another realm (a test's sandbox).
    if (typeof candidate !== 'object' || candidate === null) continue;
    const { code, message } = candidate as { code?: unknown; message?: unknown };
    if (typeof message !== 'string') continue;
    if (typeof code === 'string') {
      if (TIMEOUT_CODES.has(code)) return 'timeout';
      if (UNAVAILABLE_CODES.has(code) || NETWORK_CODES.has(code) || isConnectionException(code)) {
        return 'unavailable';
      }
    }
    if (TIMEOUT_MESSAGES.some((text) => message.startsWith(text))) return 'timeout';
    if (UNAVAILABLE_MESSAGES.some((text) => message.startsWith(text))) return 'unavailable';
  }
  return undefined;
}

function isConnectionException(code: string): boolean {
  return code.length === 5 && code.startsWith(CONNECTION_EXCEPTION_CLASS);
}

function driverErrorOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { driverError?: unknown }).driverError : undefined;
}
