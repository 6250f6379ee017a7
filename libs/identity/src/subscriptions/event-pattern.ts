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
