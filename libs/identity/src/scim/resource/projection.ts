/**
 * Which attributes a response carries (RFC 7643 §7 `returned`, RFC 7644
 * §3.4.2.5 and §3.9 `attributes` / `excludedAttributes`).
 */
import {
  COMMON_ATTRIBUTES,
  findExtensionSchema,
  parseAttributeName,
  resolveAttribute,
  toResourceType,
  type ResourceTypeRef,
  type ScimResourceType,
} from '../schemas/schema-registry';
import type { AttributeDefinition } from '../schemas/schema.types';
import { isPlainObject, type ScimResource } from './resource-validator';

/** The `attributes` / `excludedAttributes` query parameters, already split into names. */
export interface ProjectionOptions {
  readonly attributes?: readonly string[];
  readonly excludedAttributes?: readonly string[];
}

/**
 * Splits an `attributes` or `excludedAttributes` query parameter (RFC 7644
 * §3.4.2.5: comma-separated attribute names; a repeated parameter is read as
 * one list) into trimmed, non-empty names.
 */
export function parseAttributeList(raw: string | readonly string[] | undefined | null): string[] {
  if (raw === undefined || raw === null) return [];
  const parts = typeof raw === 'string' ? [raw] : raw;
  return parts
    .flatMap((part) => part.split(','))
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
}

/** The attributes (and, per attribute, sub-attributes) a list names. */
interface Selection {
  readonly whole: Set<string>;
  readonly subs: Map<string, Set<string>>;
}

function attributeKey(container: string | undefined, definition: AttributeDefinition): string {
  return `${container ?? ''}|${definition.name}`;
}

function selectName(type: ScimResourceType, selection: Selection, name: string): void {
  const extension = findExtensionSchema(type, name);
  if (extension) {
    extension.attributes.forEach((definition) => selection.whole.add(attributeKey(extension.id, definition)));
    return;
  }
  // RFC 7644 §3.4.2.5 gives no error for unknown names; they select nothing.
  const resolved = resolveAttribute(type, parseAttributeName(name));
  if (!resolved) return;
  const key = attributeKey(resolved.container, resolved.attribute);
  if (!resolved.subAttribute) {
    selection.whole.add(key);
    return;
  }
  const subs = selection.subs.get(key) ?? new Set<string>();
  subs.add(resolved.subAttribute.name);
  selection.subs.set(key, subs);
}

function toSelection(type: ScimResourceType, names: readonly string[]): Selection {
  const selection: Selection = { whole: new Set(), subs: new Map() };
  for (const name of names) selectName(type, selection, name);
  return selection;
}

/** Decides, attribute by attribute, what the response keeps. */
interface Projector {
  /** True when `attributes` was given: only named attributes (and `always` ones) are returned. */
  readonly onlyRequested: boolean;
  readonly requested: Selection;
  readonly excluded: Selection;
}

function isNamed(selection: Selection, key: string): boolean {
  return selection.whole.has(key) || selection.subs.has(key);
}

function includesAttribute(projector: Projector, key: string, definition: AttributeDefinition): boolean {
  if (definition.returned === 'never') return false;
  // RFC 7644 §3.4.2.5: excludedAttributes "SHALL have no effect on attributes whose … returned setting is always".
  if (definition.returned === 'always') return true;
  if (projector.onlyRequested) return isNamed(projector.requested, key);
  return definition.returned === 'default' && !projector.excluded.whole.has(key);
}

function includesSub(projector: Projector, key: string, sub: AttributeDefinition): boolean {
  if (sub.returned === 'never') return false;
  if (sub.returned === 'always') return true;
  if (projector.onlyRequested) {
    const named = projector.requested.subs.get(key)?.has(sub.name) ?? false;
    // `attributes=name` returns name's default sub-attributes; `attributes=name.givenName` only that one.
    return named || (projector.requested.whole.has(key) && sub.returned === 'default');
  }
  return sub.returned === 'default' && !(projector.excluded.subs.get(key)?.has(sub.name) ?? false);
}

function projectComplex(projector: Projector, key: string, definition: AttributeDefinition, value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  const result: Record<string, unknown> = {};
  let empty = true;
  for (const sub of definition.subAttributes ?? []) {
    if (sub.name in value && includesSub(projector, key, sub)) {
      result[sub.name] = value[sub.name];
      empty = false;
    }
  }
  return empty ? undefined : result;
}

function projectValue(projector: Projector, key: string, definition: AttributeDefinition, value: unknown): unknown {
  if (definition.type !== 'complex') return value;
  if (!Array.isArray(value)) return projectComplex(projector, key, definition, value);
  const elements = value
    .map((element) => projectComplex(projector, key, definition, element))
    .filter((element) => element !== undefined);
  return elements.length > 0 ? elements : undefined;
}

function projectAttributes(
  projector: Projector,
  source: unknown,
  container: string | undefined,
  definitions: readonly AttributeDefinition[],
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  if (!isPlainObject(source)) return result;
  for (const definition of definitions) {
    if (source[definition.name] === undefined) continue;
    const key = attributeKey(container, definition);
    if (!includesAttribute(projector, key, definition)) continue;
    const value = projectValue(projector, key, definition, source[definition.name]);
    if (value !== undefined) result[definition.name] = value;
  }
  return result;
}

/**
 * What a response with neither `attributes` nor `excludedAttributes` keeps — what nearly every
 * response is — decided once per resource type: the `always` and `default` attributes (and
 * sub-attributes) in response order. `project` gives the same answer through its general path;
 * this one skips asking each attribute's `returned` and its names at every response.
 */
interface PlainPlan {
  readonly topLevel: readonly PlainStep[];
  readonly extensions: readonly { readonly id: string; readonly steps: readonly PlainStep[] }[];
  readonly meta: readonly PlainStep[];
}

interface PlainStep {
  readonly name: string;
  readonly complex: boolean;
  /** The sub-attributes a complex value keeps, in schema order. */
  readonly subs: readonly string[];
}

const plainPlans = new WeakMap<ScimResourceType, PlainPlan>();

function plainPlanOf(type: ScimResourceType): PlainPlan {
  let plan = plainPlans.get(type);
  if (!plan) {
    plan = {
      topLevel: plainSteps(topLevelOf(type)),
      extensions: type.schemaExtensions.map(({ schema }) => ({ id: schema.id, steps: plainSteps(schema.attributes) })),
      meta: plainSteps(META),
    };
    plainPlans.set(type, plan);
  }
  return plan;
}

const shownByDefault = (definition: AttributeDefinition): boolean =>
  definition.returned === 'always' || definition.returned === 'default';

function plainSteps(definitions: readonly AttributeDefinition[]): PlainStep[] {
  return definitions.filter(shownByDefault).map((definition) => ({
    name: definition.name,
    complex: definition.type === 'complex',
    subs: (definition.subAttributes ?? []).filter(shownByDefault).map((sub) => sub.name),
  }));
}

function projectPlain(resource: ScimResource, plan: PlainPlan): ScimResource {
  // Key order: schemas, id, externalId, core attributes, extensions, meta.
  const output: ScimResource = resource.schemas === undefined ? {} : { schemas: resource.schemas };
  keepPlain(output, plan.topLevel, resource);
  for (const extension of plan.extensions) {
    const source = resource[extension.id];
    if (!isPlainObject(source)) continue;
    const values = keepPlain({}, extension.steps, source);
    if (Object.keys(values).length > 0) output[extension.id] = values;
  }
  return keepPlain(output, plan.meta, resource);
}

/** Copies into `target` what `steps` keep of `source`. */
function keepPlain<Target extends Record<string, unknown>>(
  target: Target,
  steps: readonly PlainStep[],
  source: Record<string, unknown>,
): Target {
  for (const step of steps) {
    const value = source[step.name];
    if (value === undefined) continue;
    const kept = step.complex ? plainComplexValue(step, value) : value;
    if (kept !== undefined) (target as Record<string, unknown>)[step.name] = kept;
  }
  return target;
}

function plainComplexValue(step: PlainStep, value: unknown): unknown {
  if (!Array.isArray(value)) return plainComplex(step, value);
  const elements: unknown[] = [];
  for (const element of value) {
    const kept = plainComplex(step, element);
    if (kept !== undefined) elements.push(kept);
  }
  return elements.length > 0 ? elements : undefined;
}

function plainComplex(step: PlainStep, value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  let kept: Record<string, unknown> | undefined;
  for (const name of step.subs) {
    if (name in value) (kept ??= {})[name] = value[name];
  }
  return kept;
}

/** The selection of a list not given (never modified): `attributes` without `excludedAttributes`, or the reverse. */
const NOTHING_SELECTED: Selection = { whole: new Set(), subs: new Map() };

const IDENTIFIERS = COMMON_ATTRIBUTES.filter((c) => c.name !== 'meta');
const META = COMMON_ATTRIBUTES.filter((c) => c.name === 'meta');
const topLevel = new WeakMap<ScimResourceType, readonly AttributeDefinition[]>();

/** id, externalId and the core attributes of a type, in response order (built once per type). */
function topLevelOf(type: ScimResourceType): readonly AttributeDefinition[] {
  let definitions = topLevel.get(type);
  if (!definitions) {
    definitions = [...IDENTIFIERS, ...type.schema.attributes];
    topLevel.set(type, definitions);
  }
  return definitions;
}

/**
 * The representation of `resource` to return: `always` attributes (id) at all
 * times, `never` ones (password) never, `default` ones unless excluded or
 * another list was asked for, `request` ones only when named. Names are
 * case-insensitive and may be URN-qualified; unknown names are ignored.
 * `attributes` wins when both lists are given (RFC 7644 §3.9 makes them
 * mutually exclusive). Attributes no schema defines are never returned.
 */
export function project(resource: ScimResource, options: ProjectionOptions, ref: ResourceTypeRef): ScimResource {
  const type = toResourceType(ref);
  const attributes = options.attributes ?? [];
  const excludedAttributes = attributes.length > 0 ? [] : (options.excludedAttributes ?? []);
  if (attributes.length === 0 && excludedAttributes.length === 0) return projectPlain(resource, plainPlanOf(type));
  const projector: Projector = {
    onlyRequested: attributes.length > 0,
    requested: attributes.length > 0 ? toSelection(type, attributes) : NOTHING_SELECTED,
    excluded: excludedAttributes.length > 0 ? toSelection(type, excludedAttributes) : NOTHING_SELECTED,
  };
  // Key order: schemas, id, externalId, core attributes, extensions, meta.
  const output: ScimResource = resource.schemas === undefined ? {} : { schemas: resource.schemas };
  Object.assign(output, projectAttributes(projector, resource, undefined, topLevelOf(type)));
  for (const { schema } of type.schemaExtensions) {
    const values = projectAttributes(projector, resource[schema.id], schema.id, schema.attributes);
    if (Object.keys(values).length > 0) output[schema.id] = values;
  }
  return Object.assign(output, projectAttributes(projector, resource, undefined, META));
}

/**
 * Whether a response with these options shows the top-level attribute `name`,
 * so that a costly one (a large group's `members`) is only loaded when shown.
 */
export function isAttributeShown(options: ProjectionOptions, name: string): boolean {
  const lower = name.toLowerCase();
  const names = (list: readonly string[] | undefined): string[] => (list ?? []).map((entry) => entry.toLowerCase());
  const mentions = (entry: string): boolean =>
    entry === lower || entry.startsWith(`${lower}.`) || entry.endsWith(`:${lower}`);
  if (names(options.attributes).length > 0) return names(options.attributes).some(mentions);
  return !names(options.excludedAttributes).includes(lower);
}
