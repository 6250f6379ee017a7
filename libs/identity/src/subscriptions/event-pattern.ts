import { IDENTITY_EVENT_TYPES, IdentityEventType } from '../events/identity-event';

/** The families of event types (`user`, `group`): the part before the dot. */
export const EVENT_FAMILIES = [...new Set(IDENTITY_EVENT_TYPES.map((type) => type.split('.')[0]))];

/** What a subscription may ask for: an exact type, every type of a family (`user.*`), or everything (`*`). */
export function isEventPattern(value: string): boolean {
  if (value === '*') return true;
  if (value.endsWith('.*')) return EVENT_FAMILIES.includes(value.slice(0, -2));
  return (IDENTITY_EVENT_TYPES as readonly string[]).includes(value);
}

/** Every pattern that selects `type`; a subscription matches when it holds any of them. */
export function patternsSelecting(type: IdentityEventType): string[] {
  return [type, `${type.split('.')[0]}.*`, '*'];
}

/** Whether a subscription with these patterns wants events of this type. */
export function selects(patterns: readonly string[], type: IdentityEventType): boolean {
  return patternsSelecting(type).some((pattern) => patterns.includes(pattern));
}

/**
 * The SQL condition "subscription row `s` is enabled and selects event row `e`" (its tenant or every
 * tenant; the patterns of patternsSelecting(): the type, its family, everything), for statements that
 * match events to subscriptions in the database.
 */
export function subscriptionSelectsSql(s: string, e: string): string {
  return `${s}.enabled AND (${s}.tenant_id IS NULL OR ${s}.tenant_id = ${e}.tenant_id)
    AND ${s}.events && ARRAY[${e}.type, split_part(${e}.type, '.', 1) || '.*', '*']`;
}
