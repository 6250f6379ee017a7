import { jsonEqual } from '../scim/patch/value-equality';
import type { IdentityEventType } from './identity-event';

/** The event types that carry `previous` (INTERFACES.md, Events: on `*.updated` events only). */
export const TYPES_WITH_PREVIOUS: ReadonlySet<IdentityEventType> = new Set(['user.updated', 'group.updated']);

/**
 * Top-level fields never reported: `meta` changes with every write (lastModified,
 * version) and says nothing of what changed; `password` and `secret` are named
 * too, though `data` never holds them, so no diff can ever leak one.
 */
const NOT_REPORTED = new Set(['meta', 'password', 'secret']);

/**
 * The old values of the top-level fields of an event's `data` that differ
 * between before and after the change. The granularity is the top-level
 * attribute: a change inside `name` or one of `emails` reports the whole old
 * `name` or `emails`, as a consumer can apply it without merging; a field
 * absent before is reported as `null`. Equal documents give `{}`.
 */
export function previousValues(
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const previous: Record<string, unknown> = {};
  for (const field of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (NOT_REPORTED.has(field)) continue;
    if (!jsonEqual(before[field] ?? null, after[field] ?? null)) previous[field] = before[field] ?? null;
  }
  return previous;
}
