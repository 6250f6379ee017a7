/**
 * What of an error may be written to a log. A database error carries the
 * statement, its parameters and the server's detail ("Key (email)=(…)",
 * "Failing row contains (…)"): a password hash, a whole user record. Those
 * never reach a line; a database error keeps its SQLSTATE, constraint, table
 * and column, and its message and stack lose every quoted literal.
 */

/** Properties that echo values or statements: never logged, on any error. */
const UNSAFE_KEYS: ReadonlySet<string> = new Set([
  'query',
  'parameters',
  'driverError',
  'detail',
  'where',
  'hint',
  'internalQuery',
  'raw',
]);

/** How deep causes are followed: enough for any wrapping the gateway does. */
const MAX_DEPTH = 4;

/** A serialized error, as pino writes it. */
export interface LoggedError {
  type: string;
  message: string;
  stack?: string;
  [key: string]: unknown;
}

/**
 * A log-safe copy of an error (pino's `err` serializer). Accepts the raw error
 * or pino's own serialization of it (pino-http wraps custom serializers so),
 * and leaves anything that is not an error as it is.
 */
export function loggableError(value: unknown): unknown {
  const raw = (value as { raw?: unknown } | null)?.raw;
  const error = raw instanceof Error ? raw : value;
  return error instanceof Error ? serialize(error, 0) : value;
}

/** An error's message fit for a line of text: a database error's quoted values left out, as in `loggableError`. */
export function loggableMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return isDatabaseError(error) ? withoutLiterals(error.message) : error.message;
}

function serialize(error: Error, depth: number): LoggedError {
  const clean = isDatabaseError(error) ? withoutLiterals : (text: string) => text;
  const logged: LoggedError = { type: error.constructor?.name || error.name, message: clean(error.message) };
  if (error.stack !== undefined) logged.stack = clean(error.stack);
  for (const [key, value] of Object.entries(error)) {
    if (UNSAFE_KEYS.has(key) || key in logged || key === 'cause' || key === 'errors') continue;
    if (value instanceof Error) {
      if (depth < MAX_DEPTH) logged[key] = serialize(value, depth + 1);
    } else {
      logged[key] = typeof value === 'string' ? clean(value) : value;
    }
  }
  if (error.cause instanceof Error && depth < MAX_DEPTH) logged.cause = serialize(error.cause, depth + 1);
  if (error instanceof AggregateError && depth < MAX_DEPTH) {
    logged.errors = (error.errors as unknown[]).map((inner) =>
      inner instanceof Error ? serialize(inner, depth + 1) : typeof inner,
    );
  }
  return logged;
}

/**
 * TypeORM's errors (QueryFailedError copies the driver's fields onto itself) and
 * the pg driver's own: PostgreSQL quotes the values it echoes ("invalid input
 * syntax for type uuid: \"…\""), and TypeORM its criteria.
 */
function isDatabaseError(error: Error): boolean {
  const fields = error as Error & { driverError?: unknown; severity?: unknown; code?: unknown };
  return (
    fields.driverError !== undefined ||
    error.name === 'QueryFailedError' ||
    /^Entity\w*Error$/.test(error.name) ||
    (typeof fields.severity === 'string' && typeof fields.code === 'string')
  );
}

/** The text with the content of every double- or single-quoted part replaced. */
export function withoutLiterals(text: string): string {
  return text.replace(/"(?:[^"\\]|\\.)*"/g, '"…"').replace(/'(?:[^'\\]|\\.)*'/g, "'…'");
}

/** The reason behind an expected refusal, for its one log line: the message, cleaned as above, never the stack. */
export function loggableReason(error: unknown): string {
  const logged = loggableError(error);
  return typeof logged === 'object' && logged !== null && 'message' in logged
    ? String((logged as LoggedError).message)
    : String(error);
}
