/**
 * Validates and normalises SCIM resource bodies (POST, PUT) and single
 * attribute values (PATCH) against the schemas: canonical attribute names,
 * extension attributes under their URN, JSON types checked, the coercions
 * real clients need applied.
 */
import { ScimError } from '../errors';
import { DATE_TIME_PATTERN } from '../filter/filter.evaluator';
import {
  findExtensionSchema,
  findSubAttribute,
  parseAttributeName,
  resolveAttribute,
  schemaUrns,
  toResourceType,
  type ResolvedAttribute,
  type ResourceTypeRef,
  type ScimResourceType,
} from '../schemas/schema-registry';
import type { AttributeDefinition, SchemaDefinition } from '../schemas/schema.types';

/** A SCIM resource as JSON: core and common attributes at the top, extensions under their URN. */
export type ScimResource = Record<string, unknown>;

/** A plain JSON object (not an array, not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalidValue(detail: string): ScimError {
  return ScimError.badRequest('invalidValue', detail);
}

// RFC 7643 §2.3.5 dateTime, in the profile the filter evaluator and SQL translator
// accept (with an offset, a real calendar date), so every stored value is comparable.
const DATE_TIME = new RegExp(DATE_TIME_PATTERN);
// RFC 7643 §2.3.6: binary values are base64 (RFC 4648 §4); line breaks are tolerated.
const BASE64 = /^[A-Za-z0-9+/\r\n]*={0,2}$/;

function normalizeBoolean(value: unknown, label: string): boolean {
  if (typeof value === 'boolean') return value;
  // Entra (without ?aadOptscim062020) sends booleans as the strings "True"/"False".
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw invalidValue(`${label} must be a boolean`);
}

function normalizeString(value: unknown, label: string): string {
  if (typeof value !== 'string') throw invalidValue(`${label} must be a string`);
  return value;
}

function normalizeDateTime(value: unknown, label: string): string {
  const text = normalizeString(value, label);
  if (!DATE_TIME.test(text)) {
    throw invalidValue(`${label} must be an xsd:dateTime such as 2008-01-23T04:56:22Z`);
  }
  return text;
}

function normalizeNumber(value: unknown, label: string, integer: boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw invalidValue(`${label} must be ${integer ? 'an integer' : 'a number'}`);
  }
  return value;
}

function normalizeBinary(value: unknown, label: string): string {
  const text = normalizeString(value, label);
  if (!BASE64.test(text)) throw invalidValue(`${label} must be base64`);
  return text;
}

function normalizeSimple(definition: AttributeDefinition, value: unknown, label: string): unknown {
  switch (definition.type) {
    case 'string':
    case 'reference':
      return normalizeString(value, label);
    case 'boolean':
      return normalizeBoolean(value, label);
    case 'dateTime':
      return normalizeDateTime(value, label);
    case 'decimal':
      return normalizeNumber(value, label, false);
    case 'integer':
      return normalizeNumber(value, label, true);
    case 'binary':
      return normalizeBinary(value, label);
    case 'complex':
      return normalizeComplex(definition, value, label);
  }
}

/** Puts `value` under `key` unless the object already has that key (two spellings of one attribute). */
function setOnce(target: Record<string, unknown>, key: string, value: unknown, label: string): void {
  if (Object.prototype.hasOwnProperty.call(target, key)) {
    throw invalidValue(`${label} is given more than once (attribute names are case-insensitive)`);
  }
  target[key] = value;
}

function normalizeComplex(
  definition: AttributeDefinition,
  value: unknown,
  label: string,
): Record<string, unknown> | undefined {
  // Entra sends the Enterprise `manager` as a bare id string: read it as {value: id}.
  if (typeof value === 'string' && !definition.multiValued && findSubAttribute(definition, 'value')) {
    return { value };
  }
  if (!isPlainObject(value)) throw invalidValue(`${label} must be an object`);
  const result: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(value)) {
    const sub = findSubAttribute(definition, key);
    // Unknown sub-attributes are ignored like unknown attributes; readOnly ones as RFC 7644 §3.3 says.
    if (!sub || sub.mutability === 'readOnly') continue;
    const normalized = normalizeAttributeValue(sub, raw, `${label}.${sub.name}`);
    if (normalized !== undefined) setOnce(result, sub.name, normalized, `${label}.${sub.name}`);
  }
  return Object.keys(result).length > 0 ? result : undefined;
}

/** RFC 7643 §2.4: the primary value `true` MUST appear no more than once. */
export function assertSinglePrimary(elements: readonly unknown[], label: string): void {
  const primaries = elements.filter((element) => isPlainObject(element) && element.primary === true);
  if (primaries.length > 1) throw invalidValue(`${label}: at most one value may have "primary": true`);
}

function normalizeMultiValued(definition: AttributeDefinition, value: unknown, label: string): unknown[] | undefined {
  if (!Array.isArray(value)) throw invalidValue(`${label} must be an array`);
  const elements = value
    .map((element, index) => normalizeElement(definition, element, `${label}[${index}]`))
    .filter((element) => element !== undefined);
  assertSinglePrimary(elements, label);
  // RFC 7643 §2.5: an empty array is the same as unassigned.
  return elements.length > 0 ? elements : undefined;
}

/** Normalises one element of a multi-valued attribute; undefined when it is null or empty. */
export function normalizeElement(definition: AttributeDefinition, value: unknown, label: string): unknown {
  if (value === null || value === undefined) return undefined;
  return normalizeSimple(definition, value, label);
}

/**
 * Normalises the value of one attribute (or sub-attribute) by its definition.
 * Returns undefined for an unassigned value (null, empty array, empty object:
 * RFC 7643 §2.5); throws ScimError `invalidValue` for a wrong JSON type.
 */
export function normalizeAttributeValue(definition: AttributeDefinition, value: unknown, label: string): unknown {
  if (value === null || value === undefined) return undefined;
  if (definition.multiValued) return normalizeMultiValued(definition, value, label);
  return normalizeSimple(definition, value, label);
}

function isSchemasKey(key: string): boolean {
  return key.toLowerCase() === 'schemas';
}

function checkSchemasMember(value: unknown): void {
  // RFC 7643 §3: `schemas` is an array of URIs. We recompute it, so only its type is checked.
  if (value === undefined || value === null) return;
  if (!Array.isArray(value) || value.some((urn) => typeof urn !== 'string')) {
    throw invalidValue('schemas must be an array of schema URIs');
  }
}

function normalizeExtension(extension: SchemaDefinition, value: unknown): Record<string, unknown> | undefined {
  if (value === null || value === undefined) return undefined;
  if (!isPlainObject(value)) throw invalidValue(`${extension.id} must be an object`);
  const result: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(value)) {
    const definition = extension.attributes.find((candidate) => candidate.name.toLowerCase() === key.toLowerCase());
    if (!definition || definition.mutability === 'readOnly') continue;
    const normalized = normalizeAttributeValue(definition, raw, `${extension.id}:${definition.name}`);
    if (normalized !== undefined) setOnce(result, definition.name, normalized, definition.name);
  }
  return Object.keys(result).length > 0 ? result : undefined;
}

function containerOf(resource: ScimResource, urn: string): Record<string, unknown> {
  const existing = resource[urn];
  if (isPlainObject(existing)) return existing;
  const created: Record<string, unknown> = {};
  resource[urn] = created;
  return created;
}

function mergeExtension(resource: ScimResource, urn: string, values: Record<string, unknown>): void {
  const container = containerOf(resource, urn);
  for (const [name, value] of Object.entries(values)) setOnce(container, name, value, `${urn}:${name}`);
}

/** An attribute a body may set: known, not a sub-attribute path, not readOnly (RFC 7644 §3.3 ignores those). */
function writableTopLevel(type: ScimResourceType, key: string): ResolvedAttribute | undefined {
  const resolved = resolveAttribute(type, parseAttributeName(key));
  if (!resolved || resolved.subAttribute || resolved.attribute.mutability === 'readOnly') return undefined;
  return resolved;
}

function normalizeEntry(type: ScimResourceType, resource: ScimResource, key: string, value: unknown): void {
  if (isSchemasKey(key)) return checkSchemasMember(value);
  const extension = findExtensionSchema(type, key);
  if (extension) {
    const values = normalizeExtension(extension, value);
    if (values) mergeExtension(resource, extension.id, values);
    return;
  }
  // Unknown attributes (e.g. Okta app-specific custom attributes) are ignored, not rejected.
  const resolved = writableTopLevel(type, key);
  if (!resolved) return;
  const normalized = normalizeAttributeValue(resolved.attribute, value, resolved.attribute.name);
  if (normalized === undefined) return;
  if (resolved.container) mergeExtension(resource, resolved.container, { [resolved.attribute.name]: normalized });
  else setOnce(resource, resolved.attribute.name, normalized, resolved.attribute.name);
}

function isMissing(value: unknown): boolean {
  return value === undefined || (typeof value === 'string' && value.trim() === '');
}

/** Required attributes (userName, Group displayName) must be present and non-empty (RFC 7643 §4.1.1, §4.2). */
export function assertRequiredAttributes(ref: ResourceTypeRef, resource: ScimResource): void {
  const type = toResourceType(ref);
  const schemas = [
    { schema: type.schema, container: undefined },
    ...type.schemaExtensions.map((ext) => ({ schema: ext.schema, container: ext.schema.id })),
  ];
  for (const { schema, container } of schemas) {
    const holder = container ? resource[container] : resource;
    for (const definition of schema.attributes) {
      if (!definition.required || definition.mutability === 'readOnly') continue;
      const value = isPlainObject(holder) ? holder[definition.name] : undefined;
      if (isMissing(value)) throw invalidValue(`${definition.name} is required`);
    }
  }
}

/**
 * Sets `schemas` first: the core URN, then each extension URN whose object
 * holds data (RFC 7643 §3); empty extension objects are dropped.
 */
export function withSchemas(ref: ResourceTypeRef, resource: ScimResource): ScimResource {
  const type = toResourceType(ref);
  const { schemas: _ignored, ...rest } = resource;
  const extensions: string[] = [];
  for (const urn of schemaUrns(type).slice(1)) {
    const data = rest[urn];
    if (isPlainObject(data) && Object.keys(data).length > 0) extensions.push(urn);
    else delete rest[urn];
  }
  return { schemas: [type.schema.id, ...extensions], ...rest };
}

/**
 * Normalises a POST or PUT body into a clean resource, or throws ScimError.
 * `id`, `meta`, `groups` and other readOnly input is ignored (RFC 7644 §3.3,
 * §3.5.1); `password` is kept for the service to hash and strip.
 */
export function normalizeResource(body: unknown, ref: ResourceTypeRef): ScimResource {
  const type = toResourceType(ref);
  if (!isPlainObject(body)) throw ScimError.badRequest('invalidSyntax', 'The request body must be a JSON object');
  const resource: ScimResource = {};
  for (const [key, value] of Object.entries(body)) normalizeEntry(type, resource, key, value);
  assertRequiredAttributes(type, resource);
  return withSchemas(type, resource);
}
