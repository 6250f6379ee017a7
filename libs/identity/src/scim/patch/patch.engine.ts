/**
 * The SCIM PATCH engine (RFC 7644 §3.5.2): applies a PatchOp message to a
 * resource and returns the patched copy. Pure: the input is never mutated, and
 * any invalid operation throws a ScimError before the caller changes anything,
 * so the operations of one request apply atomically.
 */
import { ScimError } from '../errors';
import {
  assertRequiredAttributes,
  isPlainObject,
  withSchemas,
  type ScimResource,
} from '../resource/resource-validator';
import {
  formatAttributePath,
  schemaUrns,
  toResourceType,
  type ResourceTypeRef,
  type ScimResourceType,
} from '../schemas/schema-registry';
import { applyUnfiltered } from './attribute-operations';
import { applyFiltered } from './filtered-operations';
import { multiValuedChange, type MultiValuedChange } from './multi-valued-change';
import { resolvePatchPath, resolveValueKey, type AttributeTarget, type PatchTarget } from './patch-path';
import { parsePatchRequest, type PatchOpName, type PatchOperation } from './patch-request';
import { currentValue, type PatchState } from './patch-state';
import { jsonEqual, valuesEqual } from './value-equality';

/** Options of `applyPatch`. */
export interface PatchOptions {
  /**
   * Top-level multi-valued attributes (e.g. `members`) whose operations are
   * returned as `deferredChanges` instead of being applied to the resource.
   */
  readonly deferredAttributes?: readonly string[];
  /** Most operations accepted in one request (default 1000). */
  readonly maxOperations?: number;
}

/** What a PATCH did. */
export interface PatchResult {
  /** The patched copy, with `schemas` recomputed. */
  readonly resource: ScimResource;
  /** Canonical names of the top-level attributes whose value changed (`urn:…:User:department` for extensions). */
  readonly changedAttributes: readonly string[];
  /** Operations on deferred attributes, in request order, for the caller to apply. */
  readonly deferredChanges: readonly MultiValuedChange[];
}

function isReadOnlyTarget(target: AttributeTarget): boolean {
  return target.resolved.attribute.mutability === 'readOnly' || target.resolved.subAttribute?.mutability === 'readOnly';
}

/** Whether the operation writes exactly the attribute's current value, and so changes nothing. */
function writesCurrentValue(state: PatchState, op: PatchOpName, target: AttributeTarget, value: unknown): boolean {
  const { attribute, subAttribute } = target.resolved;
  if (op === 'remove' || target.filter || subAttribute) return false;
  return valuesEqual(attribute, currentValue(state, target.resolved), value);
}

/** Sub-attributes marked immutable (Group member values) cannot be edited in place (RFC 7644 §3.5.2). */
function assertNotImmutableEdit(target: AttributeTarget): void {
  if (target.resolved.subAttribute?.mutability === 'immutable') {
    throw ScimError.badRequest(
      'mutability',
      `${target.resolved.attribute.name}.${target.resolved.subAttribute.name} is immutable`,
    );
  }
}

function isDeferred(state: PatchState, target: AttributeTarget): boolean {
  return !target.resolved.container && state.deferred.has(target.resolved.attribute.name.toLowerCase());
}

function applyToAttribute(
  state: PatchState,
  op: PatchOpName,
  target: AttributeTarget,
  hasValue: boolean,
  value: unknown,
): void {
  if (isReadOnlyTarget(target)) {
    // Okta's group rename sends the group's own `id` with the new name: writing a
    // readOnly attribute's current value changes nothing and is allowed.
    if (writesCurrentValue(state, op, target, value)) return;
    // RFC 7644 §3.5.2: "a client MUST NOT modify an attribute that has mutability readOnly".
    throw ScimError.badRequest('mutability', `${formatAttributePath(target.resolved)} is read-only`);
  }
  if (isDeferred(state, target)) {
    state.deferredChanges.push(multiValuedChange(op, target, hasValue, value));
    return;
  }
  assertNotImmutableEdit(target);
  if (target.filter) return applyFiltered(state, op, target.resolved, target.filter, value);
  return applyUnfiltered(state, op, target.resolved, hasValue, value);
}

/** Applies an object of attributes (a path-less value, or the value of an extension path) key by key. */
function applyValueObject(state: PatchState, op: PatchOpName, value: unknown, prefix: string): void {
  // RFC 7644 §3.5.2.1 / §3.5.2.3: without a path, "value" holds the attributes to add or replace.
  if (!isPlainObject(value)) throw ScimError.badRequest('invalidValue', `${op} without a path needs an object value`);
  for (const [key, attributeValue] of Object.entries(value)) {
    if (key.toLowerCase() === 'schemas') continue;
    // Keys may be dotted or URN-qualified (Entra: "name.givenName", "urn:…:User:department").
    const target = resolveValueKey(state.type, `${prefix}${key}`);
    if (target) applyToTarget(state, op, target, true, attributeValue);
  }
}

function applyToTarget(
  state: PatchState,
  op: PatchOpName,
  target: PatchTarget,
  hasValue: boolean,
  value: unknown,
): void {
  if (target.kind === 'attribute') return applyToAttribute(state, op, target, hasValue, value);
  if (op === 'remove') {
    delete state.resource[target.schema.id];
    return;
  }
  applyValueObject(state, op, value, `${target.schema.id}:`);
}

function applyOperation(state: PatchState, operation: PatchOperation): void {
  if (operation.path !== undefined) {
    return applyToTarget(
      state,
      operation.op,
      resolvePatchPath(state.type, operation.path),
      operation.hasValue,
      operation.value,
    );
  }
  // RFC 7644 §3.5.2.2: "If path is unspecified, the operation fails with … noTarget".
  if (operation.op === 'remove') throw ScimError.badRequest('noTarget', 'remove needs a path');
  applyValueObject(state, operation.op, operation.value, '');
}

function changedIn(before: unknown, after: unknown, prefix: string): string[] {
  const a = isPlainObject(before) ? before : {};
  const b = isPlainObject(after) ? after : {};
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((key) => !jsonEqual(a[key], b[key])).map((key) => `${prefix}${key}`);
}

/** Top-level attributes (and extension attributes) whose value differs between the two resources. */
function changedAttributes(type: ScimResourceType, before: ScimResource, after: ScimResource): string[] {
  const extensions = schemaUrns(type).slice(1);
  const top = changedIn(before, after, '').filter((key) => key !== 'schemas' && !extensions.includes(key));
  const inExtensions = extensions.flatMap((urn) => changedIn(before[urn], after[urn], `${urn}:`));
  return [...top, ...inExtensions];
}

/**
 * Applies a PATCH request body (a PatchOp message, or its Operations array)
 * to `resource`. Throws ScimError for any invalid operation; on success the
 * caller stores `resource` and applies `deferredChanges`.
 */
export function applyPatch(
  resource: ScimResource,
  body: unknown,
  ref: ResourceTypeRef,
  options: PatchOptions = {},
): PatchResult {
  const type = toResourceType(ref);
  const operations = parsePatchRequest(body, options.maxOperations);
  const state: PatchState = {
    type,
    resource: structuredClone(resource),
    deferred: new Set((options.deferredAttributes ?? []).map((name) => name.toLowerCase())),
    deferredChanges: [],
  };
  for (const operation of operations) applyOperation(state, operation);
  // A replace with null must not leave a required attribute unassigned (RFC 7643 §4.1.1).
  assertRequiredAttributes(type, state.resource);
  const patched = withSchemas(type, state.resource);
  return {
    resource: patched,
    changedAttributes: changedAttributes(type, resource, patched),
    deferredChanges: state.deferredChanges,
  };
}
