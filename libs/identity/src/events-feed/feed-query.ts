import { IdentityError } from '../errors/identity-error';
import { IdentityEventType } from '../events/identity-event';
import { parseTypeFilter } from './event-type-filter';
import { decodeFeedCursor } from './feed-cursor';

export const FEED_DEFAULT_LIMIT = 100;
export const FEED_MAX_LIMIT = 1000;
export const FEED_MAX_WAIT_S = 30;

/** A validated events-feed request (INTERFACES.md, Products API). */
export interface FeedQuery {
  /** The position after which to read; undefined for the oldest retained. */
  readonly after: string | undefined;
  readonly types: IdentityEventType[] | undefined;
  readonly tenant: string | undefined;
  readonly limit: number;
  readonly waitSeconds: number;
}

/** Reads the query string of `GET /api/v1/events`; a bad value is an `invalid_request` naming it. */
export function parseFeedQuery(query: Record<string, unknown>): FeedQuery {
  const after = optionalText(query, 'after');
  const position = after === undefined ? undefined : decodeFeedCursor(after);
  if (after !== undefined && position === undefined) throw IdentityError.invalid('after is not a cursor of this feed');
  const types = parseTypeFilter(optionalText(query, 'types'));
  if (!types.ok) throw IdentityError.invalid(types.problem);
  return {
    after: position,
    types: types.types,
    tenant: optionalText(query, 'tenant'),
    limit: integerIn(query, 'limit', 1, FEED_MAX_LIMIT, FEED_DEFAULT_LIMIT),
    waitSeconds: integerIn(query, 'wait', 0, FEED_MAX_WAIT_S, 0),
  };
}

/** A query parameter given once, as text; absent is undefined. */
export function optionalText(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw IdentityError.invalid(`${name} must be given once`);
  return value;
}

/** An integer query parameter within [min, max], or the default when absent. */
export function integerIn(
  query: Record<string, unknown>,
  name: string,
  min: number,
  max: number,
  fallback: number,
): number {
  const text = optionalText(query, name);
  if (text === undefined) return fallback;
  if (!/^\d{1,6}$/.test(text) || Number(text) < min || Number(text) > max) {
    throw IdentityError.invalid(`${name} must be an integer from ${min} to ${max}`);
  }
  return Number(text);
}
