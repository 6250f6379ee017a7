/**
 * add / replace / remove on one attribute or sub-attribute without a value
 * filter (RFC 7644 §3.5.2.1–§3.5.2.3).
 */
import { ScimError } from '../errors';
import { isPlainObject, normalizeAttributeValue } from '../resource/resource-validator';
import type { ResolvedAttribute } from '../schemas/schema-registry';
import type { AttributeDefinition } from '../schemas/schema.types';
import { currentElements, currentValue, setElements, setValue, type PatchState } from './patch-state';
import type { PatchOpName } from './patch-request';
import { demoteOtherPrimaries, mergeInto } from './element-updates';
import { matchesTemplate, valuesEqual } from './value-equality';

function invalidValue(detail: string): ScimError {
  return ScimError.badRequest('invalidValue', detail);
}

/** Elements given for a multi-valued attribute; a single value is read as a one-element list. */
function normalizedElements(definition: AttributeDefinition, value: unknown): unknown[] {
  if (value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  const normalized = normalizeAttributeValue(definition, list, definition.name);
  return Array.isArray(normalized) ? normalized : [];
}

/**
 * RFC 7644 §3.5.2.1: a multi-valued add appends; a value already present is
 * not added again ("no changes SHOULD be made").
 */
function addElements(state: PatchState, resolved: ResolvedAttribute, value: unknown): void {
  const definition = resolved.attribute;
  const elements = currentElements(state, resolved);
  const touched: number[] = [];
  for (const addition of normalizedElements(definition, value)) {
    const existing = elements.findIndex((element) => valuesEqual(definition, element, addition));
    touched.push(existing >= 0 ? existing : elements.push(addition) - 1);
  }
  demoteOtherPrimaries(elements, touched, definition.name);
  setElements(state, resolved, elements);
}

/**
 * RFC 7644 §3.5.2.1 and §3.5.2.3: for a complex attribute, the sub-attributes
 * given replace those present; "sub-attributes that are not specified in the
 * value parameter are left unchanged".
 */
function mergeComplex(state: PatchState, resolved: ResolvedAttribute, value: unknown): void {
  const patch = normalizeAttributeValue(resolved.attribute, value, resolved.attribute.name);
  if (patch === undefined) return;
  const current = currentValue(state, resolved);
  setValue(state, resolved, mergeInto(isPlainObject(current) ? current : {}, patch as Record<string, unknown>));
}

function setSimple(state: PatchState, op: PatchOpName, resolved: ResolvedAttribute, value: unknown): void {
  const normalized = normalizeAttributeValue(resolved.attribute, value, resolved.attribute.name);
  // A replace with null unassigns (RFC 7643 §2.5); an add of nothing is a missing value.
  if (normalized === undefined && op === 'add') throw invalidValue(`add to ${resolved.attribute.name} needs a value`);
  setValue(state, resolved, normalized);
}

function addWhole(state: PatchState, resolved: ResolvedAttribute, value: unknown): void {
  const definition = resolved.attribute;
  if (definition.multiValued) return addElements(state, resolved, value);
  if (definition.type === 'complex' && value !== null) return mergeComplex(state, resolved, value);
  return setSimple(state, 'add', resolved, value);
}

function replaceWhole(state: PatchState, resolved: ResolvedAttribute, value: unknown): void {
  const definition = resolved.attribute;
  // RFC 7644 §3.5.2.3: "the attribute and all values are replaced".
  if (definition.multiValued) return setElements(state, resolved, normalizedElements(definition, value));
  if (definition.type === 'complex' && value !== null) return mergeComplex(state, resolved, value);
  return setSimple(state, 'replace', resolved, value);
}

function removeWhole(state: PatchState, resolved: ResolvedAttribute, hasValue: boolean, value: unknown): void {
  const definition = resolved.attribute;
  // RFC 7644 §3.5.2.2: removing a required attribute is a mutability error.
  if (definition.required)
    throw ScimError.badRequest('mutability', `${definition.name} is required and cannot be removed`);
  if (definition.multiValued && hasValue && value !== null) {
    // Not in the RFC; Entra sends it: a remove with a value list removes only those values.
    const listed = normalizedElements(definition, value);
    const kept = currentElements(state, resolved).filter(
      (element) => !listed.some((item) => matchesTemplate(definition, element, item)),
    );
    return setElements(state, resolved, kept);
  }
  setValue(state, resolved, undefined);
}

function applyToSubOfSingle(
  state: PatchState,
  op: PatchOpName,
  resolved: ResolvedAttribute,
  sub: AttributeDefinition,
  value: unknown,
): void {
  const current = currentValue(state, resolved);
  const parent = isPlainObject(current) ? current : {};
  const normalized =
    op === 'remove' ? undefined : normalizeAttributeValue(sub, value, `${resolved.attribute.name}.${sub.name}`);
  if (normalized === undefined && op === 'add')
    throw invalidValue(`add to ${resolved.attribute.name}.${sub.name} needs a value`);
  const merged = mergeInto(parent, { [sub.name]: normalized });
  // A complex attribute left with no sub-attributes is unassigned (RFC 7643 §2.5).
  setValue(state, resolved, Object.keys(merged).length > 0 ? merged : undefined);
}

function removeSubFromAll(state: PatchState, resolved: ResolvedAttribute, sub: AttributeDefinition): void {
  const elements = currentElements(state, resolved)
    .map((element) => (isPlainObject(element) ? mergeInto(element, { [sub.name]: undefined }) : element))
    .filter((element) => !isPlainObject(element) || Object.keys(element).length > 0);
  setElements(state, resolved, elements);
}

function applyToSubAttribute(state: PatchState, op: PatchOpName, resolved: ResolvedAttribute, value: unknown): void {
  const sub = resolved.subAttribute as AttributeDefinition;
  if (!resolved.attribute.multiValued) return applyToSubOfSingle(state, op, resolved, sub, value);
  if (op === 'remove') return removeSubFromAll(state, resolved, sub);
  // `emails.value` names no single element: the client must select one with a value filter.
  throw ScimError.badRequest(
    'invalidPath',
    `${resolved.attribute.name}.${sub.name}: select values with a filter, e.g. ${resolved.attribute.name}[type eq "work"].${sub.name}`,
  );
}

/** Applies an operation to an attribute or sub-attribute selected without a value filter. */
export function applyUnfiltered(
  state: PatchState,
  op: PatchOpName,
  resolved: ResolvedAttribute,
  hasValue: boolean,
  value: unknown,
): void {
  if (resolved.subAttribute) return applyToSubAttribute(state, op, resolved, value);
  switch (op) {
    case 'add':
      return addWhole(state, resolved, value);
    case 'replace':
      return replaceWhole(state, resolved, value);
    case 'remove':
      return removeWhole(state, resolved, hasValue, value);
  }
}
