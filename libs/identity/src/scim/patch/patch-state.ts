/**
 * The working state of one PATCH request: a private copy of the resource that
 * operations change in order (RFC 7644 §3.5.2), and the changes deferred to
 * the caller.
 */
import { isPlainObject, type ScimResource } from '../resource/resource-validator';
import type { ResolvedAttribute, ScimResourceType } from '../schemas/schema-registry';
import type { MultiValuedChange } from './multi-valued-change';

export interface PatchState {
  readonly type: ScimResourceType;
  /** A deep copy of the caller's resource; the caller's object is never touched. */
  readonly resource: ScimResource;
  /** Lower-cased names of top-level multi-valued attributes whose changes are returned, not applied. */
  readonly deferred: ReadonlySet<string>;
  readonly deferredChanges: MultiValuedChange[];
}

function holder(state: PatchState, resolved: ResolvedAttribute, create: boolean): Record<string, unknown> | undefined {
  if (!resolved.container) return state.resource;
  const existing = state.resource[resolved.container];
  if (isPlainObject(existing)) return existing;
  if (!create) return undefined;
  const created: Record<string, unknown> = {};
  state.resource[resolved.container] = created;
  return created;
}

/** The current value of the (top-level or extension) attribute a path resolved to. */
export function currentValue(state: PatchState, resolved: ResolvedAttribute): unknown {
  return holder(state, resolved, false)?.[resolved.attribute.name];
}

/** Sets the attribute's value; undefined unassigns it (RFC 7643 §2.5). */
export function setValue(state: PatchState, resolved: ResolvedAttribute, value: unknown): void {
  const target = holder(state, resolved, value !== undefined);
  if (!target) return;
  if (value === undefined) delete target[resolved.attribute.name];
  else target[resolved.attribute.name] = value;
}

/** The current elements of a multi-valued attribute, copied. */
export function currentElements(state: PatchState, resolved: ResolvedAttribute): unknown[] {
  const value = currentValue(state, resolved);
  return Array.isArray(value) ? [...(value as unknown[])] : [];
}

/** Stores elements back; an empty array unassigns the attribute (RFC 7644 §3.5.2.2). */
export function setElements(state: PatchState, resolved: ResolvedAttribute, elements: unknown[]): void {
  setValue(state, resolved, elements.length > 0 ? elements : undefined);
}
