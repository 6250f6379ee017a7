/**
 * Changes to a multi-valued attribute the caller keeps outside the resource
 * (Group `members` live in a membership table). For such attributes the
 * engine returns what to do instead of doing it.
 */
import { ScimError } from '../errors';
import type { FilterNode } from '../filter/filter.ast';
import { isPlainObject, normalizeAttributeValue } from '../resource/resource-validator';
import { findSubAttribute } from '../schemas/schema-registry';
import type { AttributeDefinition } from '../schemas/schema.types';
import type { AttributeTarget } from './patch-path';
import type { PatchOpName } from './patch-request';
import { valueEqualities } from './value-filter';

/**
 * One change to a deferred multi-valued attribute, to apply in order:
 * - `add`: add `values` (skip those already present);
 * - `remove` with `values`: remove exactly those values (never the rest);
 * - `remove` with `filter`: remove the values the filter selects;
 * - `replace`: the attribute becomes exactly `values` (`[]` clears it).
 */
export interface MultiValuedChange {
  /** Canonical attribute name, e.g. `members`. */
  readonly attribute: string;
  readonly op: PatchOpName;
  readonly values?: readonly Record<string, unknown>[];
  readonly filter?: FilterNode;
}

function elementsOf(definition: AttributeDefinition, value: unknown): Record<string, unknown>[] {
  // A single object is read as a one-element list, as clients send both.
  const list = Array.isArray(value) ? value : [value];
  const normalized = normalizeAttributeValue(definition, list, definition.name);
  const elements = (Array.isArray(normalized) ? normalized : []).filter(isPlainObject);
  if (findSubAttribute(definition, 'value')) {
    const missing = elements.find((element) => element.value === undefined);
    if (missing) throw ScimError.badRequest('invalidValue', `Each ${definition.name} value needs a "value"`);
  }
  return elements;
}

function removeByFilter(attribute: string, filter: FilterNode): MultiValuedChange {
  // `members[value eq "id"]` (Okta) becomes a plain list of values to remove.
  const values = valueEqualities(filter);
  if (values) return { attribute, op: 'remove', values: values.map((value) => ({ value })) };
  return { attribute, op: 'remove', filter };
}

function removeChange(target: AttributeTarget, hasValue: boolean, value: unknown): MultiValuedChange {
  const definition = target.resolved.attribute;
  if (target.filter) return removeByFilter(definition.name, target.filter);
  // Entra: Remove with path "members" and a value list removes only the listed members.
  if (hasValue && value !== null)
    return { attribute: definition.name, op: 'remove', values: elementsOf(definition, value) };
  // RFC 7644 §3.5.2.2: no filter, no value: all values are removed.
  return { attribute: definition.name, op: 'replace', values: [] };
}

/**
 * The change a deferred attribute's operation stands for. Sub-attribute paths
 * and add/replace through a value filter would edit values in place, which
 * the schema forbids for `members` (immutable sub-attributes, RFC 7643 §4.2).
 */
export function multiValuedChange(
  op: PatchOpName,
  target: AttributeTarget,
  hasValue: boolean,
  value: unknown,
): MultiValuedChange {
  const definition = target.resolved.attribute;
  if (target.resolved.subAttribute || (target.filter && op !== 'remove')) {
    throw ScimError.badRequest('mutability', `Values of ${definition.name} can be added or removed, not edited`);
  }
  if (op === 'remove') return removeChange(target, hasValue, value);
  if (op === 'replace' && value === null) return { attribute: definition.name, op, values: [] };
  return { attribute: definition.name, op, values: elementsOf(definition, value) };
}
