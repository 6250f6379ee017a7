/**
 * Maps anything a SCIM request can fail with to a `ScimError` (RFC 7644 §3.12)
 * and the headers that go with it. Pure, so every branch is unit-tested.
 */
import { BODY_LIMIT_BYTES, UnfitTextError, httpErrorMessage, httpStatusOf } from '@app/platform';
import { ScimError } from '@app/identity/scim/errors';
import { DATABASE_RETRY_AFTER_SECONDS, databaseFailure } from '@app/identity/database/database-errors';
import { TenantBusyError } from '../tenant-limits/tenant-limiter';

/** What the mapper needs to know about the failed request. */
export interface FailedRequest {
  readonly method: string;
  /** Path without the query string (which may carry user names in a filter). */
  readonly path: string;
  readonly requestId: string;
  /** False when no route matched (Fastify's not-found handler). */
  readonly routeMatched: boolean;
  /** Methods registered for the path: non-empty with `routeMatched: false` means "wrong method". */
  readonly allowedMethods: readonly string[];
}

/** A SCIM error ready to send, and whether it is a bug to log. */
export interface ScimFailure {
  readonly error: ScimError;
  readonly headers: Readonly<Record<string, string>>;
  /** Set for failures the server did not expect: logged with the error, answered with a generic 500. */
  readonly unexpected: boolean;
  /** For an expected failure the operator should still see (the database away or too slow): one log line, no stack. */
  readonly warning?: string;
}

/** The statuses mapped specially; plain numbers, since a status read off an error is a number, not Nest's enum. */
const STATUS = {
  badRequest: 400,
  unauthorized: 401,
  notFound: 404,
  methodNotAllowed: 405,
  payloadTooLarge: 413,
  unsupportedMediaType: 415,
  tooManyRequests: 429,
  internalServerError: 500,
  serviceUnavailable: 503,
} as const;

/** RFC 6750 §3: the challenge of a 401 for a bearer-protected resource. */
export const BEARER_CHALLENGE = 'Bearer realm="SCIM"';

export function toScimFailure(exception: unknown, request: FailedRequest): ScimFailure {
  if (exception instanceof ScimError) return withChallenge(exception);
  // RFC 7644 §3.12: a value the server cannot take (U+0000, a lone surrogate) is `invalidValue`, not a syntax
  // error; in a filter (the query's or a search body's), `invalidFilter`.
  if (exception instanceof UnfitTextError) {
    const inFilter = exception.where === 'query.filter' || exception.where === 'body.filter';
    return withChallenge(ScimError.badRequest(inFilter ? 'invalidFilter' : 'invalidValue', exception.message));
  }
  if (exception instanceof TenantBusyError) {
    const error = new ScimError(STATUS.tooManyRequests, undefined, exception.message);
    return { error, headers: { 'retry-after': String(exception.retryAfterSeconds) }, unexpected: false };
  }
  const database = databaseFailure(exception);
  if (database !== undefined) return databaseUnavailable(database);
  const status = httpStatusOf(exception);
  if (status === undefined || status >= 500) return internalError(request.requestId);
  if (status === STATUS.notFound && !request.routeMatched) return unknownRoute(request);
  return withChallenge(
    new ScimError(status, status === STATUS.badRequest ? 'invalidSyntax' : undefined, detailOf(status, exception)),
  );
}

function withChallenge(error: ScimError): ScimFailure {
  const headers: Record<string, string> =
    error.status === STATUS.unauthorized ? { 'www-authenticate': BEARER_CHALLENGE } : {};
  return { error, headers, unexpected: error.status >= 500 };
}

/**
 * 503 with Retry-After for both: the database away, and a statement stopped
 * at the statement timeout. A timeout is not the client's fault to fix (a 400):
 * filters too costly to run are refused before they run (filter-cost.ts), so
 * what still times out is a database slower than usual, and the same request
 * later may well succeed. Its transaction was rolled back.
 */
function databaseUnavailable(failure: 'timeout' | 'unavailable'): ScimFailure {
  const detail =
    failure === 'timeout'
      ? 'the database did not finish this request in the time allowed; nothing was changed, retry later'
      : 'the database is unavailable; retry later';
  return {
    error: new ScimError(STATUS.serviceUnavailable, undefined, detail),
    headers: { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) },
    unexpected: false,
    warning: failure === 'timeout' ? 'a SCIM request ran out of database time' : 'the database is unavailable',
  };
}

function internalError(requestId: string): ScimFailure {
  return {
    error: new ScimError(STATUS.internalServerError, undefined, `internal server error (request id ${requestId})`),
    headers: {},
    unexpected: true,
  };
}

function unknownRoute(request: FailedRequest): ScimFailure {
  if (request.allowedMethods.length === 0) {
    return { error: ScimError.notFound(`no SCIM endpoint at ${request.path}`), headers: {}, unexpected: false };
  }
  const error = new ScimError(
    STATUS.methodNotAllowed,
    undefined,
    `${request.method} is not supported on ${request.path}`,
  );
  // RFC 9110 §15.5.6: a 405 lists the methods the resource does support.
  return { error, headers: { allow: request.allowedMethods.join(', ') }, unexpected: false };
}

/**
 * Our own words for the transport errors Fastify raises before any handler
 * runs; otherwise the exception's message. In this app every 400 that is not
 * a ScimError comes from reading the request (bad JSON, empty body, a
 * Content-Length that lies), hence `invalidSyntax` (RFC 7644 §3.12).
 */
function detailOf(status: number, exception: unknown): string {
  if (status === STATUS.payloadTooLarge) return `the request body exceeds ${BODY_LIMIT_BYTES} bytes`;
  if (status === STATUS.unsupportedMediaType)
    return 'the request body must be application/scim+json or application/json';
  return httpErrorMessage(exception);
}
