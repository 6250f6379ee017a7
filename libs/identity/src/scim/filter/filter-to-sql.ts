/**
 * Translation of a SCIM filter (RFC 7644 §3.4.2.2) into a parameterised
 * PostgreSQL boolean expression. Values only ever travel as `$n` parameters;
 * the SQL text holds the caller's column and document expressions, JSON keys
 * from the caller's mapping, and constants of this module.
 *
 * It answers exactly what filter.evaluator.ts answers in memory (the typing
 * rules are shared), and every expression it writes is safe on any stored
 * data: JSON values are type-checked before a cast, so a filter that passes
 * translation never fails at run time.
 */
import { ScimError } from '../errors';
import type { AttributeType } from '../schemas/schema.types';
import type {
  AttributePath,
  CompareNode,
  CompareOperator,
  FilterNode,
  LogicalNode,
  PresentNode,
  ValuePathNode,
} from './filter.ast';
import { DATE_TIME_PATTERN, typeCompareValue, type TypedValue } from './filter.evaluator';
import { formatPath } from './filter.parser';

/** The attribute types a single SQL value can hold. */
export type SqlScalarType = Exclude<AttributeType, 'complex'>;

/** Type and case sensitivity of a scalar attribute (RFC 7643 §2.3, §7 caseExact). */
export interface SqlScalarTraits {
  readonly type: SqlScalarType;
  readonly caseExact: boolean;
}

/** A scalar column such as `u.user_name`; a dateTime column is timestamptz. */
export interface SqlColumnAttribute extends SqlScalarTraits {
  readonly kind: 'column';
  readonly sql: string;
  /** An index of the tenant's rows serves `eq` on it (see filter-cost.ts). */
  readonly indexed?: boolean;
  /** No two of a tenant's rows share its value (a unique index): `eq` on it matches at most one row. */
  readonly unique?: boolean;
}

/** A scalar inside a JSONB document, read as `document #>> '{path}'`. */
export interface SqlJsonbAttribute extends SqlScalarTraits {
  readonly kind: 'jsonb';
  readonly document: string;
  readonly path: readonly string[];
}

/** A sub-attribute of the elements of a jsonbArray attribute; `name` is its key as stored. */
export interface SqlElementAttribute extends SqlScalarTraits {
  readonly name: string;
}

/**
 * A text[] column the repository keeps equal to one sub-attribute of every
 * element (lowercased with PostgreSQL's lower() when `lowercased`), indexed
 * with GIN, so that `emails.value eq "x"` becomes `col @> ARRAY[lower($n)]`.
 */
export interface SqlArrayColumn {
  readonly sql: string;
  readonly subAttribute: string;
  readonly lowercased: boolean;
}

/** A multi-valued complex attribute stored as a JSON array at `document #> '{path}'`. */
export interface SqlJsonbArrayAttribute {
  readonly kind: 'jsonbArray';
  readonly document: string;
  readonly path: readonly string[];
  /**
   * Looks a sub-attribute up by name as written (case-insensitively, RFC 7643
   * §2.1); undefined makes it an unknown attribute. Without it, sub-attributes
   * are case-insensitive strings stored under the name as written.
   */
  readonly subAttributes?: (sub: string) => SqlElementAttribute | undefined;
  readonly arrayColumn?: SqlArrayColumn;
}

/**
 * An escape hatch for attributes stored elsewhere (group `members` in a join
 * table). It receives comparisons and `pr`, and `members[value eq "x"]` as
 * `members.value eq "x"`; its SQL is wrapped in parentheses and may be NULL.
 */
export interface SqlCustomAttribute {
  readonly kind: 'custom';
  /** An index serves its `eq` alone, without reading the tenant's other rows (see filter-cost.ts). */
  readonly indexed?: boolean;
  /** No two of a tenant's rows share its value (a unique index): `eq` on it matches at most one row. */
  readonly unique?: boolean;
  compile(node: CompareNode | PresentNode, params: unknown[]): string;
}

/** Where and how one filterable attribute is stored. */
export type SqlAttribute = SqlColumnAttribute | SqlJsonbAttribute | SqlJsonbArrayAttribute | SqlCustomAttribute;

/** The caller's storage map; `resolve` gets paths as written and undefined means unknown. */
export interface SqlAttributeMapping {
  resolve(path: AttributePath): SqlAttribute | undefined;
}

/** A scalar as the translator reads it: SQL text, and the jsonb value when it lives in a document. */
interface ScalarOperand extends SqlScalarTraits {
  readonly text: string;
  readonly json?: string;
  /** The attribute as the client wrote it, for error messages. */
  readonly label: string;
}

/** What a path names in the current scope (the resource, or an array element). */
type SqlTarget =
  | { readonly kind: 'scalar'; readonly operand: ScalarOperand }
  | { readonly kind: 'array'; readonly attribute: SqlJsonbArrayAttribute }
  | { readonly kind: 'custom'; readonly attribute: SqlCustomAttribute };

type Scope = (path: AttributePath) => SqlTarget;

interface Context {
  readonly scope: Scope;
  readonly params: unknown[];
}

// RFC 7644 §3.4.2.2 `pr`: null, "", [] and {} are not values.
const EMPTY_JSON = `'null'::jsonb, '""'::jsonb, '[]'::jsonb, '{}'::jsonb`;
const ELEMENT = 'e.elem';
const TEXT_TYPES: ReadonlySet<SqlScalarType> = new Set<SqlScalarType>(['string', 'reference', 'binary']);
const SIMPLE_SQL = /^[A-Za-z_][A-Za-z0-9_$]*(?:\.[A-Za-z_][A-Za-z0-9_$]*)*$/;
const PLAIN_ARRAY_ELEMENT = /^[A-Za-z0-9_$:.-]+$/;
const ORDER_SQL: Readonly<Record<'eq' | 'gt' | 'ge' | 'lt' | 'le', string>> = {
  eq: '=',
  gt: '>',
  ge: '>=',
  lt: '<',
  le: '<=',
};

/**
 * Translates a filter to a boolean SQL expression, appending its values to
 * `params` as `$n`; throws ScimError invalidFilter for unknown attributes and
 * impossible comparisons.
 */
export function filterToSql(node: FilterNode, mapping: SqlAttributeMapping, params: unknown[]): string {
  return compileNode(node, { scope: resourceScope(mapping), params });
}

/** Appends a value to `params` and returns its placeholder (for custom attributes). */
export function addSqlParam(params: unknown[], value: unknown): string {
  params.push(value);
  return `$${params.length}`;
}

function compileNode(node: FilterNode, context: Context): string {
  switch (node.kind) {
    case 'compare':
      return compileCompare(node, context);
    case 'present':
      return compilePresent(node, context);
    case 'logical':
      return compileLogical(node, context);
    case 'not':
      // A comparison on a missing attribute is NULL; COALESCE makes NOT two-valued
      // so that `not (title eq "x")` matches users without a title, as in memory.
      // It sits here rather than around each comparison so that those stay
      // index-friendly (`lower(u.user_name) = lower($1)`).
      return `NOT COALESCE(${compileNode(node.filter, context)}, false)`;
    case 'valuePath':
      return compileValuePath(node, context);
  }
}

/** and/or chains are flattened iteratively: `(a AND b AND c)`. */
function compileLogical(node: LogicalNode, context: Context): string {
  const operands: string[] = [];
  const pending: FilterNode[] = [node];
  while (pending.length > 0) {
    const current = pending.pop() as FilterNode;
    if (current.kind === 'logical' && current.op === node.op) {
      pending.push(current.right, current.left);
    } else {
      operands.push(compileNode(current, context));
    }
  }
  return `(${operands.join(node.op === 'and' ? ' AND ' : ' OR ')})`;
}

function compileCompare(node: CompareNode, context: Context): string {
  const target = context.scope(node.path);
  switch (target.kind) {
    case 'scalar':
      return compareScalar(
        node.op,
        target.operand,
        typeCompareValue(node, target.operand, target.operand.label),
        context.params,
      );
    case 'array':
      return compareArray(node, target.attribute, context.params);
    case 'custom':
      return `(${target.attribute.compile(node, context.params)})`;
  }
}

function compilePresent(node: PresentNode, context: Context): string {
  const target = context.scope(node.path);
  switch (target.kind) {
    case 'scalar':
      return presentScalar(target.operand);
    case 'array':
      return presentArray(target.attribute, node.path.subAttribute);
    case 'custom':
      return `(${target.attribute.compile(node, context.params)})`;
  }
}

/**
 * `emails[type eq "work" and value co "@x"]`: some element matches. A single
 * condition is the same as `emails.value eq "x"`, which may use arrayColumn;
 * except for the ones a missing value satisfies (`ne`, `eq null`), which a
 * value path only asks of elements that exist.
 */
function compileValuePath(node: ValuePathNode, context: Context): string {
  const target = context.scope(node.path);
  const single = singleCondition(node);
  switch (target.kind) {
    case 'scalar':
      throw invalidFilter(`'${formatPath(node.path)}' is not multi-valued; "[...]" applies to multi-valued attributes`);
    case 'custom':
      if (single === undefined) {
        throw invalidFilter(`'${formatPath(node.path)}[...]' supports a single condition such as [value eq "..."]`);
      }
      return `(${target.attribute.compile(single, context.params)})`;
    case 'array': {
      if (single !== undefined) {
        return compileNode(single, context);
      }
      const indexed = indexedPrefilter(node, target.attribute, context.params);
      const elementContext = { scope: elementScope(target.attribute, node.path), params: context.params };
      const exists = existsElement(target.attribute, '[]', compileNode(node.filter, elementContext));
      return indexed === undefined ? exists : `(${indexed} AND ${exists})`;
    }
  }
}

/**
 * `emails[type eq "work" and value eq "x"]` needs the element test, but its
 * `value eq "x"` conjunct can first narrow the rows through the array column's
 * index (Entra looks users up this way on every sync).
 */
function indexedPrefilter(
  node: ValuePathNode,
  attribute: SqlJsonbArrayAttribute,
  params: unknown[],
): string | undefined {
  if (attribute.arrayColumn === undefined) return undefined;
  for (const conjunct of andConjuncts(node.filter)) {
    if (
      conjunct.kind !== 'compare' ||
      conjunct.op !== 'eq' ||
      conjunct.path.schema !== undefined ||
      conjunct.path.subAttribute !== undefined
    ) {
      continue;
    }
    const label = { ...node.path, subAttribute: conjunct.path.attribute };
    const typed = typeCompareValue(
      conjunct,
      elementAttribute(attribute, conjunct.path.attribute, label),
      formatPath(label),
    );
    const indexed = arrayColumnCompare(conjunct.op, attribute.arrayColumn, conjunct.path.attribute, typed, params);
    if (indexed !== undefined) return indexed;
  }
  return undefined;
}

/** The operands of a top-level `and` chain (the node itself when it is no `and`). */
function andConjuncts(node: FilterNode): FilterNode[] {
  const conjuncts: FilterNode[] = [];
  const pending: FilterNode[] = [node];
  while (pending.length > 0) {
    const current = pending.pop() as FilterNode;
    if (current.kind === 'logical' && current.op === 'and') pending.push(current.right, current.left);
    else conjuncts.push(current);
  }
  return conjuncts;
}

function singleCondition(node: ValuePathNode): CompareNode | PresentNode | undefined {
  const inner = node.filter;
  if (inner.kind !== 'present' && (inner.kind !== 'compare' || matchesMissing(inner))) {
    return undefined;
  }
  return { ...inner, path: { ...node.path, subAttribute: inner.path.attribute } };
}

/** Comparisons that hold for a missing value: they must see an absent array as one missing element. */
function matchesMissing(node: CompareNode): boolean {
  return node.op === 'ne' || (node.op === 'eq' && node.value === null);
}

/**
 * A multi-valued attribute matches when any element does (RFC 7644 §3.4.2.2);
 * without a sub-attribute its `value` sub-attribute is compared.
 */
function compareArray(node: CompareNode, attribute: SqlJsonbArrayAttribute, params: unknown[]): string {
  const sub = node.path.subAttribute ?? 'value';
  const element = elementAttribute(attribute, sub, node.path);
  const typed = typeCompareValue(node, element, formatPath({ ...node.path, subAttribute: sub }));
  const indexed = arrayColumnCompare(node.op, attribute.arrayColumn, sub, typed, params);
  if (indexed !== undefined) {
    return indexed;
  }
  const condition = compareScalar(node.op, elementOperand(element, ''), typed, params);
  return existsElement(attribute, matchesMissing(node) ? '[null]' : '[]', condition);
}

/** The GIN-indexable `col @> ARRAY[...]`, when the column holds what `eq` compares. */
function arrayColumnCompare(
  op: CompareOperator,
  column: SqlArrayColumn | undefined,
  sub: string,
  typed: TypedValue,
  params: unknown[],
): string | undefined {
  if (
    column === undefined ||
    op !== 'eq' ||
    typed.kind !== 'string' ||
    column.subAttribute.toLowerCase() !== sub.toLowerCase() ||
    column.lowercased === typed.caseExact
  ) {
    return undefined;
  }
  const param = addSqlParam(params, typed.value);
  return `${atom(column.sql)} @> ARRAY[${column.lowercased ? `lower(${param})` : param}]::text[]`;
}

function presentArray(attribute: SqlJsonbArrayAttribute, sub: string | undefined): string {
  if (sub === undefined) {
    return existsElement(attribute, '[]', `${ELEMENT} NOT IN (${EMPTY_JSON})`);
  }
  const element = elementOperand(elementAttribute(attribute, sub, { attribute: sub }), '');
  return existsElement(attribute, '[]', `${atom(element.json as string)} NOT IN (${EMPTY_JSON})`);
}

/**
 * `EXISTS (SELECT 1 FROM jsonb_array_elements(...) AS e(elem) WHERE ...)` over
 * the array, or over `[null]` (one missing element) when it is absent or empty
 * and the condition holds for missing values. A non-array is read as absent,
 * so jsonb_array_elements never sees a scalar.
 */
function existsElement(attribute: SqlJsonbArrayAttribute, fallback: '[]' | '[null]', condition: string): string {
  const array = `${attribute.document} #> ${pathLiteral(attribute.path)}`;
  const isArray = `jsonb_typeof(${array}) = 'array'`;
  const usable = fallback === '[]' ? isArray : `${isArray} AND ${atom(array)} <> '[]'::jsonb`;
  const elements = `CASE WHEN ${usable} THEN ${array} ELSE '${fallback}'::jsonb END`;
  return `EXISTS (SELECT 1 FROM jsonb_array_elements(${elements}) AS e(elem) WHERE ${condition})`;
}

function compareScalar(op: CompareOperator, operand: ScalarOperand, typed: TypedValue, params: unknown[]): string {
  switch (typed.kind) {
    case 'null':
      return `${atom(operand.text)} IS ${op === 'eq' ? '' : 'NOT '}NULL`;
    case 'string':
      return compareText(op, operand, typed.value, typed.caseExact, params);
    case 'number':
      return compareOrdered(op, numericValue(operand), `${addSqlParam(params, typed.value)}::numeric`);
    case 'boolean':
      return compareOrdered(op, booleanValue(operand), `${addSqlParam(params, typed.value)}::boolean`);
    case 'dateTime':
      return compareOrdered(op, dateTimeValue(operand), `${addSqlParam(params, typed.value)}::timestamptz`);
  }
}

/**
 * caseExact=false compares `lower(x)` with `lower($n)` (so an index on
 * lower(col) serves it); co/sw/ew use LIKE with a pattern escaped in JS; the
 * ordering operators use COLLATE "C" so that the order is the code point order
 * the evaluator uses, whatever the database locale.
 */
function compareText(
  op: CompareOperator,
  operand: ScalarOperand,
  value: string,
  caseExact: boolean,
  params: unknown[],
): string {
  const left = caseExact ? atom(operand.text) : `lower(${operand.text})`;
  const right = (text: string): string => {
    const param = addSqlParam(params, text);
    return caseExact ? param : `lower(${param})`;
  };
  switch (op) {
    case 'eq':
      return `${left} = ${right(value)}`;
    case 'ne':
      return `${left} IS DISTINCT FROM ${right(value)}`;
    case 'co':
    case 'sw':
    case 'ew':
      return `${left} LIKE ${right(likePattern(op, value))}`;
    case 'gt':
    case 'ge':
    case 'lt':
    case 'le':
      return `${left} COLLATE "C" ${ORDER_SQL[op]} ${right(value)}`;
  }
}

/** `ne` is IS DISTINCT FROM: true when the value is missing or of another type. */
function compareOrdered(op: CompareOperator, left: string, right: string): string {
  switch (op) {
    case 'ne':
      return `${left} IS DISTINCT FROM ${right}`;
    case 'eq':
    case 'gt':
    case 'ge':
    case 'lt':
    case 'le':
      return `${left} ${ORDER_SQL[op]} ${right}`;
    case 'co':
    case 'sw':
    case 'ew':
      // typeCompareValue refuses these for non-strings; kept for exhaustiveness.
      throw invalidFilter(`'${op}' applies to strings only`);
  }
}

/** A JSON number as numeric, NULL for any other JSON type (a cast that cannot fail). */
function numericValue(operand: ScalarOperand): string {
  return operand.json === undefined
    ? atom(operand.text)
    : `(CASE WHEN jsonb_typeof(${operand.json}) = 'number' THEN (${operand.text})::numeric END)`;
}

function booleanValue(operand: ScalarOperand): string {
  return operand.json === undefined
    ? atom(operand.text)
    : `(CASE WHEN jsonb_typeof(${operand.json}) = 'boolean' THEN (${operand.text})::boolean END)`;
}

/** A stored date-time as timestamptz, NULL unless DATE_TIME_PATTERN guarantees the cast succeeds. */
function dateTimeValue(operand: ScalarOperand): string {
  return operand.json === undefined
    ? atom(operand.text)
    : `(CASE WHEN ${atom(operand.text)} ~ '${DATE_TIME_PATTERN}' THEN (${operand.text})::timestamptz END)`;
}

function presentScalar(operand: ScalarOperand): string {
  if (operand.json !== undefined) {
    return `${atom(operand.json)} NOT IN (${EMPTY_JSON})`;
  }
  const column = atom(operand.text);
  return TEXT_TYPES.has(operand.type) ? `(${column} IS NOT NULL AND ${column} <> '')` : `${column} IS NOT NULL`;
}

function resourceScope(mapping: SqlAttributeMapping): Scope {
  return (path) => {
    const attribute = mapping.resolve(path);
    if (attribute === undefined) {
      throw invalidFilter(`unknown attribute '${formatPath(path)}'`);
    }
    switch (attribute.kind) {
      case 'column': {
        const { type, caseExact, sql } = attribute;
        return { kind: 'scalar', operand: { type, caseExact, text: sql, label: formatPath(path) } };
      }
      case 'jsonb':
        return { kind: 'scalar', operand: documentOperand(attribute, formatPath(path)) };
      case 'jsonbArray':
        return { kind: 'array', attribute };
      case 'custom':
        return { kind: 'custom', attribute };
    }
  };
}

/** Inside "[...]" paths name sub-attributes of the current element. */
function elementScope(attribute: SqlJsonbArrayAttribute, arrayPath: AttributePath): Scope {
  return (path) => {
    if (path.schema !== undefined || path.subAttribute !== undefined) {
      throw invalidFilter(`'${formatPath(path)}' inside '${formatPath(arrayPath)}[...]' must be a sub-attribute name`);
    }
    const label = { ...arrayPath, subAttribute: path.attribute };
    const element = elementAttribute(attribute, path.attribute, label);
    return { kind: 'scalar', operand: elementOperand(element, formatPath(label)) };
  };
}

function elementAttribute(attribute: SqlJsonbArrayAttribute, sub: string, label: AttributePath): SqlElementAttribute {
  if (attribute.subAttributes === undefined) {
    return { name: sub, type: 'string', caseExact: false };
  }
  const element = attribute.subAttributes(sub);
  if (element === undefined) {
    throw invalidFilter(`unknown attribute '${formatPath(label)}'`);
  }
  return element;
}

function documentOperand(attribute: SqlJsonbAttribute, label: string): ScalarOperand {
  const path = pathLiteral(attribute.path);
  const { type, caseExact, document } = attribute;
  return { type, caseExact, text: `${document} #>> ${path}`, json: `${document} #> ${path}`, label };
}

function elementOperand(element: SqlElementAttribute, label: string): ScalarOperand {
  const key = sqlString(element.name);
  const { type, caseExact } = element;
  return { type, caseExact, text: `${ELEMENT} ->> ${key}`, json: `${ELEMENT} -> ${key}`, label };
}

/** A LIKE pattern for co/sw/ew, with LIKE's metacharacters escaped (default ESCAPE is "\"). */
function likePattern(op: 'co' | 'sw' | 'ew', value: string): string {
  const escaped = value.replace(/[\\%_]/g, (char) => `\\${char}`);
  return `${op === 'sw' ? '' : '%'}${escaped}${op === 'ew' ? '' : '%'}`;
}

/** A text[] literal such as '{name,givenName}', quoting elements that need it (and "null"). */
function pathLiteral(segments: readonly string[]): string {
  if (segments.length === 0) {
    throw new Error('SQL attribute mapping: a JSON path needs at least one segment');
  }
  const elements = segments.map((segment) =>
    PLAIN_ARRAY_ELEMENT.test(segment) && segment.toLowerCase() !== 'null'
      ? segment
      : `"${segment.replace(/[\\"]/g, (char) => `\\${char}`)}"`,
  );
  return sqlString(`{${elements.join(',')}}`);
}

/**
 * A SQL string literal; an E'' literal when it holds a backslash, so that it
 * reads the same whatever standard_conforming_strings says.
 */
function sqlString(text: string): string {
  if (text.includes('\0')) {
    throw new Error('SQL attribute mapping: names cannot contain NUL');
  }
  const quoted = text.replace(/'/g, "''");
  return text.includes('\\') ? `E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}

/** Parenthesises an expression unless it is a plain (qualified) identifier. */
function atom(sql: string): string {
  return SIMPLE_SQL.test(sql) ? sql : `(${sql})`;
}

function invalidFilter(detail: string): ScimError {
  return ScimError.badRequest('invalidFilter', detail);
}
