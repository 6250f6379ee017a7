/**
 * add / replace / remove on the elements a value filter selects, e.g.
 * `emails[type eq "work"].value` (RFC 7644 §3.5.2).
 */
import { ScimError } from '../errors';
import type { FilterNode } from '../filter/filter.ast';
import { isPlainObject, normalizeAttributeValue, normalizeElement } from '../resource/resource-validator';
import type { ResolvedAttribute } from '../schemas/schema-registry';
import { demoteOtherPrimaries, mergeInto } from './element-updates';
import { currentElements, setElements, type PatchState } from './patch-state';
import type { PatchOpName } from './patch-request';
import { elementFromFilter, matchingIndexes } from './value-filter';

/** What the operation writes into each selected element. */
function elementPatch(op: PatchOpName, resolved: ResolvedAttribute, value: unknown): Record<string, unknown> {
  const { attribute, subAttribute } = resolved;
  if (subAttribute) {
    const normalized = normalizeAttributeValue(subAttribute, value, `${attribute.name}.${subAttribute.name}`);
    if (normalized === undefined && op === 'add')
      throw ScimError.badRequest('invalidValue', `add to ${attribute.name}.${subAttribute.name} needs a value`);
    return { [subAttribute.name]: normalized };
  }
  const element = normalizeElement(attribute, value, attribute.name);
  if (!isPlainObject(element))
    throw ScimError.badRequest('invalidValue', `${attribute.name}: the value must be an object of sub-attributes`);
  return element;
}

function removeSelected(
  state: PatchState,
  resolved: ResolvedAttribute,
  elements: unknown[],
  selected: readonly number[],
): void {
  const sub = resolved.subAttribute;
  // RFC 7644 §3.5.2.2: the selected values (or their sub-attribute) are removed; a filter that selects
  // nothing removes nothing, so that repeating a remove succeeds.
  const kept = elements
    .map((element, index) =>
      sub && selected.includes(index) && isPlainObject(element)
        ? mergeInto(element, { [sub.name]: undefined })
        : element,
    )
    .filter((element, index) =>
      sub ? !isPlainObject(element) || Object.keys(element).length > 0 : !selected.includes(index),
    );
  setElements(state, resolved, kept);
}

/**
 * An `add` whose filter selects nothing creates the element the filter
 * describes (Entra: Add `emails[type eq "work"].value` on a user without a
 * work email). RFC 7644 §3.5.2.3 makes the same case a `noTarget` for replace.
 */
function appendFromFilter(
  op: PatchOpName,
  resolved: ResolvedAttribute,
  filter: FilterNode,
  elements: unknown[],
  patch: Record<string, unknown>,
): number {
  const template = op === 'add' ? elementFromFilter(filter, resolved.attribute) : undefined;
  if (!template) throw ScimError.badRequest('noTarget', `No value of ${resolved.attribute.name} matches the filter`);
  return elements.push(mergeInto(template, patch)) - 1;
}

/**
 * RFC 7644 §3.5.2.3: the matching values (or the named sub-attribute of each)
 * are replaced; as for any complex value, sub-attributes not given are kept.
 */
export function applyFiltered(
  state: PatchState,
  op: PatchOpName,
  resolved: ResolvedAttribute,
  filter: FilterNode,
  value: unknown,
): void {
  const elements = currentElements(state, resolved);
  const selected = matchingIndexes(filter, elements, resolved.attribute);
  if (op === 'remove') return removeSelected(state, resolved, elements, selected);
  const patch = elementPatch(op, resolved, value);
  for (const index of selected) elements[index] = mergeInto(elements[index] as Record<string, unknown>, patch);
  const touched = selected.length > 0 ? selected : [appendFromFilter(op, resolved, filter, elements, patch)];
  demoteOtherPrimaries(elements, touched, resolved.attribute.name);
  setElements(state, resolved, elements);
}
