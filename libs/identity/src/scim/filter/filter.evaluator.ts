/**
 * In-memory evaluation of SCIM filters (RFC 7644 §3.4.2.2) against resources in
 * their JSON form, and the typing rules for comparison values that the SQL
 * translator shares, so that both answer the same question the same way.
 *
 * A filter is compiled once into a predicate: type errors (`active gt 5`) are
 * reported up front as invalidFilter, whatever the data, and evaluation itself
 * never throws.
 */
import { ScimError } from '../errors';
import type { AttributeDefinition, AttributeType } from '../schemas/schema.types';
import type { AttributePath, CompareNode, CompareOperator, FilterNode, PresentNode, ValuePathNode } from './filter.ast';
import { formatPath } from './filter.parser';

/** The caller's schema lookup; a path with `subAttribute` resolves to the sub-attribute's definition. */
export type AttributeResolver = (path: AttributePath) => AttributeDefinition | undefined;

/** A compiled filter: whether one resource (or element) matches. */
export type FilterPredicate = (resource: unknown) => boolean;

/** What a comparison needs to know about an attribute. */
export interface ComparisonTraits {
  readonly type: AttributeType;
  readonly caseExact: boolean;
}

/** A comparison value checked against the attribute's type. */
export type TypedValue =
  | { readonly kind: 'null' }
  | { readonly kind: 'string'; readonly value: string; readonly caseExact: boolean }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'dateTime'; readonly value: string; readonly instant: bigint };

// RFC 7644 §3.4.2.2: attributes the server does not know are compared as
// case-insensitive strings (the brief of this module; RFC 7643 §2.1 default).
const UNKNOWN_TRAITS: ComparisonTraits = { type: 'string', caseExact: false };
const ORDERING_OPERATORS: ReadonlySet<CompareOperator> = new Set<CompareOperator>(['gt', 'ge', 'lt', 'le']);
const SUBSTRING_OPERATORS: ReadonlySet<CompareOperator> = new Set<CompareOperator>(['co', 'sw', 'ew']);
const CORE_SCHEMA_PREFIX = /^urn:ietf:params:scim:schemas:core:/i;

// RFC 7643 §2.3.5 dateTime is xsd:dateTime; this is its RFC 3339 profile with a
// calendar-exact date (no 02-30, 02-29 only in leap years) and a PostgreSQL-sized
// offset, so that a value it accepts always casts to timestamptz without error.
// It is written in the common subset of JavaScript and PostgreSQL regexes.
const YEAR = '(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])';
const LEAP_YEAR = '(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)';
const MONTH_DAY =
  '(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))';
const DATE = `(?:${YEAR}-${MONTH_DAY}|${LEAP_YEAR}-02-29)`;
const TIME = '(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:[.][0-9]+)?';
const OFFSET = '(?:Z|[+-](?:0[0-9]|1[0-5]):[0-5][0-9])';
/** An RFC 3339 date-time with offset that PostgreSQL can always cast to timestamptz. */
export const DATE_TIME_PATTERN = `^${DATE}T${TIME}${OFFSET}$`;
const DATE_TIME = new RegExp(DATE_TIME_PATTERN);
const LOCAL_DATE_TIME = new RegExp(`^${DATE}T${TIME}$`);
const DATE_TIME_PARTS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/** Compiles a filter into a predicate over resources; throws ScimError invalidFilter on type errors. */
export function compileFilter(node: FilterNode, resolve: AttributeResolver): FilterPredicate {
  switch (node.kind) {
    case 'compare':
      return compileCompare(node, resolve);
    case 'present':
      return compilePresent(node, resolve);
    case 'logical': {
      const left = compileFilter(node.left, resolve);
      const right = compileFilter(node.right, resolve);
      return node.op === 'and' ? (r) => left(r) && right(r) : (r) => left(r) || right(r);
    }
    case 'not': {
      const inner = compileFilter(node.filter, resolve);
      return (r) => !inner(r);
    }
    case 'valuePath':
      return compileValuePath(node, resolve);
  }
}

/** Whether a resource matches a filter (RFC 7644 §3.4.2.2). */
export function matchesFilter(
  node: FilterNode,
  resource: Record<string, unknown>,
  resolve: AttributeResolver,
): boolean {
  return compileFilter(node, resolve)(resource);
}

/** Compiles a value filter for the elements of one multi-valued attribute (PATCH `emails[type eq "work"]`). */
export function compileValueFilter(
  filter: FilterNode,
  attribute: AttributeDefinition | undefined,
): (element: unknown) => boolean {
  const predicate = compileFilter(filter, subAttributeResolver(attribute));
  return (element) => predicate(asElement(element));
}

/** Whether one element of a multi-valued attribute matches a value filter. */
export function matchesValueFilter(
  filter: FilterNode,
  element: unknown,
  attribute: AttributeDefinition | undefined,
): boolean {
  return compileValueFilter(filter, attribute)(element);
}

/**
 * A resolver scoped to the elements of `attribute`: paths name its sub-attributes.
 * A simple multi-valued attribute's elements are addressed as `value`.
 */
export function subAttributeResolver(attribute: AttributeDefinition | undefined): AttributeResolver {
  return (path) => {
    if (attribute === undefined || path.schema !== undefined || path.subAttribute !== undefined) {
      return undefined;
    }
    const name = path.attribute.toLowerCase();
    if (attribute.type !== 'complex') {
      return name === 'value' ? { ...attribute, name: 'value', multiValued: false } : undefined;
    }
    return attribute.subAttributes?.find((sub) => sub.name.toLowerCase() === name);
  };
}

/**
 * Checks a comparison value against the attribute type (RFC 7644 §3.4.2.2) and
 * normalises it; throws ScimError invalidFilter when they cannot be compared.
 */
export function typeCompareValue(
  node: CompareNode,
  traits: ComparisonTraits,
  label = formatPath(node.path),
): TypedValue {
  if (node.value === null) {
    return { kind: 'null' };
  }
  switch (traits.type) {
    case 'string':
    case 'reference':
      return { kind: 'string', value: String(node.value), caseExact: traits.caseExact };
    case 'binary':
      refuseOperators(node, label, 'binary', [...ORDERING_OPERATORS, ...SUBSTRING_OPERATORS]);
      return { kind: 'string', value: String(node.value), caseExact: true };
    case 'boolean':
      refuseOperators(node, label, 'a boolean', [...ORDERING_OPERATORS, ...SUBSTRING_OPERATORS]);
      return { kind: 'boolean', value: booleanValue(node, label) };
    case 'integer':
    case 'decimal':
      if (typeof node.value !== 'number') {
        throw invalidFilter(`'${label}' is a number; compare it with a number, not ${JSON.stringify(node.value)}`);
      }
      return { kind: 'number', value: node.value };
    case 'dateTime':
      refuseOperators(node, label, 'a dateTime', [...SUBSTRING_OPERATORS]);
      return dateTimeValue(node, label);
    case 'complex':
      throw invalidFilter(`'${label}' is complex; compare one of its sub-attributes`);
  }
}

/** The instant of an RFC 3339 date-time with offset, in microseconds since 1970, as PostgreSQL rounds it. */
export function parseDateTime(text: string): bigint | undefined {
  const parts = DATE_TIME.test(text) ? DATE_TIME_PARTS.exec(text) : null;
  if (!parts) {
    return undefined;
  }
  const [, year, month, day, hour, minute, second, fraction, sign, offsetHours, offsetMinutes] = parts;
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  date.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  date.setUTCHours(Number(hour), Number(minute), Number(second), 0);
  const offsetMagnitude = Number(offsetHours ?? 0) * 3600 + Number(offsetMinutes ?? 0) * 60;
  const offsetSeconds = sign === '-' ? -offsetMagnitude : offsetMagnitude;
  // PostgreSQL keeps microseconds and rounds the rest.
  const micros = fraction === undefined ? 0 : Math.round(Number(`0.${fraction}`) * 1e6);
  return BigInt(date.getTime() / 1000 - offsetSeconds) * 1_000_000n + BigInt(micros);
}

function compileCompare(node: CompareNode, resolve: AttributeResolver): FilterPredicate {
  const { path, traits } = comparedAttribute(node.path, resolve);
  const typed = typeCompareValue(node, traits);
  const read = attributeReader(path, resolve);
  return (resource) => candidateValues(read(resource), path).some((candidate) => compareOne(node.op, candidate, typed));
}

/**
 * The attribute a comparison reads. RFC 7644 §3.4.2.2: a comparison on a
 * complex attribute without a sub-attribute (`emails co "@x"`) compares its
 * `value` sub-attribute.
 */
function comparedAttribute(
  path: AttributePath,
  resolve: AttributeResolver,
): { path: AttributePath; traits: ComparisonTraits } {
  const definition = resolve(path);
  if (definition?.type !== 'complex' || path.subAttribute !== undefined) {
    return { path, traits: definition ?? UNKNOWN_TRAITS };
  }
  const valuePath = { ...path, subAttribute: 'value' };
  const value = resolve(valuePath) ?? definition.subAttributes?.find((sub) => sub.name.toLowerCase() === 'value');
  if (value === undefined) {
    throw invalidFilter(`'${formatPath(path)}' is complex; compare one of its sub-attributes`);
  }
  return { path: valuePath, traits: value };
}

function compilePresent(node: PresentNode, resolve: AttributeResolver): FilterPredicate {
  const { path } = node;
  const read = attributeReader(path, resolve);
  return (resource) => {
    const value = read(resource);
    if (path.subAttribute === undefined) {
      return isPresent(value);
    }
    const sub = path.subAttribute;
    return toArray(value).some((item) => isPresent(property(item, sub)));
  };
}

function compileValuePath(node: ValuePathNode, resolve: AttributeResolver): FilterPredicate {
  const { schema, attribute } = node.path;
  const scoped: AttributeResolver = (inner) =>
    inner.schema === undefined && inner.subAttribute === undefined
      ? resolve({ ...(schema !== undefined ? { schema } : {}), attribute, subAttribute: inner.attribute })
      : undefined;
  const matchesElement = compileFilter(node.filter, scoped);
  const read = attributeReader(node.path, resolve);
  return (resource) => elementsOf(read(resource)).some((e) => matchesElement(asElement(e)));
}

/**
 * Reads the attribute of `path` (before any sub-attribute). A multi-valued
 * attribute whose value is not an array is malformed and read as absent, as
 * the SQL translator does.
 */
function attributeReader(path: AttributePath, resolve: AttributeResolver): (resource: unknown) => unknown {
  const attributeOnly = { ...(path.schema !== undefined ? { schema: path.schema } : {}), attribute: path.attribute };
  const multiValued = resolve(attributeOnly)?.multiValued === true;
  return (resource) => {
    const value = attributeValue(resource, attributeOnly);
    return multiValued && !Array.isArray(value) ? undefined : value;
  };
}

/**
 * The values a comparison looks at: one per element of a multi-valued attribute
 * (RFC 7644 §3.4.2.2: it matches if any does), or a single `undefined` when there
 * is none, so that `ne` and `eq null` match a missing attribute.
 */
function candidateValues(value: unknown, path: AttributePath): unknown[] {
  // Without a schema saying so, an object element is still complex: use its `value`.
  const sub = path.subAttribute;
  const values = toArray(value).map(
    (item) => property(item, sub ?? 'value') ?? (sub === undefined && !isObject(item) ? item : undefined),
  );
  return values.length === 0 ? [undefined] : values;
}

function compareOne(op: CompareOperator, candidate: unknown, typed: TypedValue): boolean {
  if (typed.kind === 'null') {
    const missing = candidate === undefined || candidate === null;
    return op === 'eq' ? missing : !missing;
  }
  const order = orderAgainst(candidate, typed, op);
  if (order === undefined) {
    // Missing or of another type: equal to nothing, so only `ne` holds.
    return op === 'ne';
  }
  return typeof order === 'boolean' ? order : applyOrder(op, order);
}

/** -1/0/1 comparing the stored value with the filter value, a boolean for co/sw/ew, undefined when incomparable. */
function orderAgainst(
  candidate: unknown,
  typed: Exclude<TypedValue, { kind: 'null' }>,
  op: CompareOperator,
): number | boolean | undefined {
  switch (typed.kind) {
    case 'string': {
      const stored = storedString(candidate);
      if (stored === undefined) {
        return undefined;
      }
      const actual = typed.caseExact ? stored : stored.toLowerCase();
      const expected = typed.caseExact ? typed.value : typed.value.toLowerCase();
      return SUBSTRING_OPERATORS.has(op) ? substringMatch(op, actual, expected) : compareCodePoints(actual, expected);
    }
    case 'number':
      return typeof candidate === 'number' ? Math.sign(candidate - typed.value) : undefined;
    case 'boolean':
      return typeof candidate === 'boolean' ? (candidate === typed.value ? 0 : 1) : undefined;
    case 'dateTime': {
      const instant = typeof candidate === 'string' ? parseDateTime(candidate) : undefined;
      return instant === undefined ? undefined : instant === typed.instant ? 0 : instant < typed.instant ? -1 : 1;
    }
  }
}

function applyOrder(op: CompareOperator, order: number): boolean {
  switch (op) {
    case 'eq':
      return order === 0;
    case 'ne':
      return order !== 0;
    case 'gt':
      return order > 0;
    case 'ge':
      return order >= 0;
    case 'lt':
      return order < 0;
    case 'le':
      return order <= 0;
    case 'co':
    case 'sw':
    case 'ew':
      return false;
  }
}

function substringMatch(op: CompareOperator, actual: string, expected: string): boolean {
  if (op === 'sw') {
    return actual.startsWith(expected);
  }
  return op === 'ew' ? actual.endsWith(expected) : actual.includes(expected);
}

/** Code point order, which is PostgreSQL's COLLATE "C" order on UTF-8 (the SQL translator uses it). */
function compareCodePoints(a: string, b: string): number {
  const left = Array.from(a);
  const right = Array.from(b);
  const length = Math.min(left.length, right.length);
  for (let i = 0; i < length; i += 1) {
    const difference = (left[i]?.codePointAt(0) ?? 0) - (right[i]?.codePointAt(0) ?? 0);
    if (difference !== 0) {
      return Math.sign(difference);
    }
  }
  return Math.sign(left.length - right.length);
}

/** Scalars compare as text with a string attribute, as PostgreSQL's `->>` renders them. */
function storedString(value: unknown): string | undefined {
  if (typeof value === 'string') {
    return value;
  }
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

function booleanValue(node: CompareNode, label: string): boolean {
  if (typeof node.value === 'boolean') {
    return node.value;
  }
  // Some clients quote booleans ("True"); any other string is a client error.
  const text = typeof node.value === 'string' ? node.value.toLowerCase() : '';
  if (text === 'true' || text === 'false') {
    return text === 'true';
  }
  throw invalidFilter(`'${label}' is a boolean; compare it with true or false, not ${JSON.stringify(node.value)}`);
}

function dateTimeValue(node: CompareNode, label: string): TypedValue {
  const text = typeof node.value === 'string' ? node.value.toUpperCase() : '';
  // xsd:dateTime may omit the offset; such a filter value is read as UTC.
  const value = LOCAL_DATE_TIME.test(text) ? `${text}Z` : text;
  const instant = parseDateTime(value);
  if (instant === undefined) {
    throw invalidFilter(
      `'${label}' is a dateTime; compare it with a value such as "2011-05-13T04:42:34Z", not ${JSON.stringify(node.value)}`,
    );
  }
  return { kind: 'dateTime', value, instant };
}

function refuseOperators(node: CompareNode, label: string, what: string, refused: readonly CompareOperator[]): void {
  if (refused.includes(node.op)) {
    throw invalidFilter(`'${node.op}' does not apply to '${label}', which is ${what}`);
  }
}

/**
 * The attribute's value in the resource. Extension attributes live under their
 * schema URN (RFC 7643 §3.3); a core schema URN prefix names a top-level attribute.
 */
function attributeValue(resource: unknown, path: AttributePath): unknown {
  if (path.schema === undefined) {
    return property(resource, path.attribute);
  }
  const extension = property(resource, path.schema);
  if (isObject(extension)) {
    return property(extension, path.attribute);
  }
  return CORE_SCHEMA_PREFIX.test(path.schema) ? property(resource, path.attribute) : undefined;
}

/** RFC 7643 §2.1: attribute names are case-insensitive. Own properties only. */
function property(value: unknown, name: string): unknown {
  if (!isObject(value)) {
    return undefined;
  }
  if (Object.hasOwn(value, name)) {
    return value[name];
  }
  const lower = name.toLowerCase();
  const key = Object.keys(value).find((candidate) => candidate.toLowerCase() === lower);
  return key === undefined ? undefined : value[key];
}

/**
 * RFC 7644 §3.4.2.2 `pr`: "has a non-empty value, or if it contains a non-empty
 * node for complex attributes": null, "", [] and {} are absent; an array is
 * present when one of its elements is.
 */
function isPresent(value: unknown): boolean {
  return Array.isArray(value) ? value.some(isNonEmpty) : isNonEmpty(value);
}

function isNonEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === '') {
    return false;
  }
  if (Array.isArray(value)) {
    return value.length > 0;
  }
  return !isObject(value) || Object.keys(value).length > 0;
}

function toArray(value: unknown): unknown[] {
  if (Array.isArray(value)) {
    return value;
  }
  return value === undefined ? [] : [value];
}

/** The elements a value path iterates: a singular complex value counts as one element. */
function elementsOf(value: unknown): unknown[] {
  if (Array.isArray(value)) {
    return value;
  }
  return isObject(value) ? [value] : [];
}

/** An element as an object: a simple value `x` is addressed as `{ value: x }`. */
function asElement(element: unknown): Record<string, unknown> {
  return isObject(element) ? element : { value: element };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalidFilter(detail: string): ScimError {
  return ScimError.badRequest('invalidFilter', detail);
}
