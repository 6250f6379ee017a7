import { IDENTITY_EVENT_TYPES, IdentityEventType } from '../events/identity-event';
import { isEventPattern, selects } from '../subscriptions/event-pattern';

/** The result of reading a `types` parameter: the types it selects, or why it is refused. */
export type TypeFilter =
  | { readonly ok: true; readonly types: IdentityEventType[] | undefined }
  | {
      readonly ok: false;
      readonly problem: string;
    };

/**
 * Reads a comma-separated list of event patterns (`user.*,group.member_added`,
 * the same patterns subscriptions take) into the exact types it selects;
 * `undefined` types means every type (no parameter, or `*`).
 */
export function parseTypeFilter(text: string | undefined): TypeFilter {
  if (text === undefined) return { ok: true, types: undefined };
  const patterns = text.split(',').map((pattern) => pattern.trim());
  const unknown = patterns.filter((pattern) => !isEventPattern(pattern));
  if (unknown.length > 0 || patterns.length > 50) {
    return {
      ok: false,
      problem: `types must be event types or families (user.*, group.*, *) separated by commas; not ${unknown.slice(0, 3).join(', ') || 'so many'}`,
    };
  }
  if (patterns.includes('*')) return { ok: true, types: undefined };
  return { ok: true, types: IDENTITY_EVENT_TYPES.filter((type) => selects(patterns, type)) };
}
