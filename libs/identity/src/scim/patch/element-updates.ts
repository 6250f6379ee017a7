/**
 * Small updates on elements of multi-valued and complex attributes that the
 * PATCH operations share.
 */
import { ScimError } from '../errors';
import { isPlainObject } from '../resource/resource-validator';

/** A copy of `target` with `patch` applied; an undefined value removes that key. */
export function mergeInto(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/**
 * RFC 7644 §3.5.2: setting one value's `primary` to true "SHALL cause the
 * server to automatically set primary to false for any other values". The
 * elements at `touched` are those this operation wrote; two of them both
 * primary is a contradiction (RFC 7643 §2.4) and rejected.
 */
export function demoteOtherPrimaries(elements: unknown[], touched: readonly number[], label: string): void {
  const winners = [...new Set(touched)].filter(
    (index) => isPlainObject(elements[index]) && elements[index].primary === true,
  );
  if (winners.length > 1)
    throw ScimError.badRequest('invalidValue', `${label}: at most one value may have "primary": true`);
  if (winners.length === 0) return;
  elements.forEach((element, index) => {
    if (index !== winners[0] && isPlainObject(element) && element.primary === true) {
      elements[index] = { ...element, primary: false };
    }
  });
}
