/**
 * Schema-aware equality of attribute values: strings of a `caseExact: false`
 * attribute compare case-insensitively (RFC 7643 §2.2), as RFC 7644 §3.5.2.1
 * needs to tell whether a value is "already" present.
 */
import { isPlainObject } from '../resource/resource-validator';
import { findSubAttribute } from '../schemas/schema-registry';
import type { AttributeDefinition } from '../schemas/schema.types';

/**
 * Structural equality of JSON values. (Not `util.isDeepStrictEqual`, which also
 * compares prototypes and so fails across realms, e.g. on `structuredClone` copies under Jest.)
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((element, index) => jsonEqual(element, b[index]))
    );
  }
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every((key) => Object.prototype.hasOwnProperty.call(b, key) && jsonEqual(a[key], b[key]))
  );
}

function simpleEqual(definition: AttributeDefinition | undefined, a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string' && definition && !definition.caseExact) {
    return a.toLowerCase() === b.toLowerCase();
  }
  return jsonEqual(a, b);
}

function complexEqual(
  definition: AttributeDefinition,
  a: Record<string, unknown>,
  b: Record<string, unknown>,
): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => simpleEqual(findSubAttribute(definition, key), a[key], b[key]));
}

/** Whether two values (or two elements of a multi-valued attribute) are the same by the attribute's schema. */
export function valuesEqual(definition: AttributeDefinition, a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((element, index) => valuesEqual(definition, element, b[index]));
  }
  if (definition.type === 'complex' && isPlainObject(a) && isPlainObject(b)) return complexEqual(definition, a, b);
  return simpleEqual(definition, a, b);
}

/** Whether `element` has every sub-attribute value that `template` gives (used to remove listed values). */
export function matchesTemplate(definition: AttributeDefinition, element: unknown, template: unknown): boolean {
  if (!isPlainObject(element) || !isPlainObject(template)) return valuesEqual(definition, element, template);
  return Object.entries(template).every(([key, value]) =>
    simpleEqual(findSubAttribute(definition, key), element[key], value),
  );
}
