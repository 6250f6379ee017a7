/**
 * Value filters on multi-valued attributes (RFC 7644 §3.5.2 valuePath):
 * which elements a filter selects, and the element an `add` creates when it
 * selects none.
 */
import type { CompareValue, FilterNode } from '../filter/filter.ast';
import { compileValueFilter } from '../filter/filter.evaluator';
import { normalizeAttributeValue } from '../resource/resource-validator';
import { findSubAttribute } from '../schemas/schema-registry';
import type { AttributeDefinition } from '../schemas/schema.types';

/** Indexes of the elements of a multi-valued complex attribute that the filter selects. */
export function matchingIndexes(
  filter: FilterNode,
  elements: readonly unknown[],
  definition: AttributeDefinition,
): number[] {
  const matches = compileValueFilter(filter, definition);
  return elements.flatMap((element, index) => (matches(element) ? [index] : []));
}

/** The `attr eq value` comparisons of a filter made only of them and `and`; undefined otherwise. */
function equalities(filter: FilterNode): Array<[string, CompareValue]> | undefined {
  if (filter.kind === 'compare' && filter.op === 'eq' && filter.path.subAttribute === undefined) {
    return [[filter.path.attribute, filter.value]];
  }
  if (filter.kind === 'logical' && filter.op === 'and') {
    const left = equalities(filter.left);
    const right = equalities(filter.right);
    return left && right ? [...left, ...right] : undefined;
  }
  return undefined;
}

/**
 * The element an `add` creates when its value filter selects nothing:
 * `emails[type eq "work"].value` gives `{type: "work"}`, to which the value is
 * then added (Entra relies on this to set a work email the user lacks).
 * Undefined when the filter is not a conjunction of `eq` on known sub-attributes.
 */
export function elementFromFilter(
  filter: FilterNode,
  definition: AttributeDefinition,
): Record<string, unknown> | undefined {
  const pairs = equalities(filter);
  if (!pairs) return undefined;
  const element: Record<string, unknown> = {};
  for (const [name, value] of pairs) {
    const sub = findSubAttribute(definition, name);
    if (!sub || sub.mutability === 'readOnly') return undefined;
    const normalized = normalizeAttributeValue(sub, value, `${definition.name}.${sub.name}`);
    if (normalized === undefined) return undefined;
    element[sub.name] = normalized;
  }
  return element;
}

/** The values of a filter that is `value eq "x"` or an `or` of such comparisons; undefined otherwise. */
export function valueEqualities(filter: FilterNode): CompareValue[] | undefined {
  if (
    filter.kind === 'compare' &&
    filter.op === 'eq' &&
    filter.path.attribute.toLowerCase() === 'value' &&
    filter.path.subAttribute === undefined
  ) {
    return [filter.value];
  }
  if (filter.kind === 'logical' && filter.op === 'or') {
    const left = valueEqualities(filter.left);
    const right = valueEqualities(filter.right);
    return left && right ? [...left, ...right] : undefined;
  }
  return undefined;
}
