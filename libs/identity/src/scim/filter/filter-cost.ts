/**
 * What a filter costs the database, read off its syntax tree and the storage
 * mapping before any SQL runs. A filter that an indexed equality narrows
 * (`userName eq "x"`, `externalId eq "x"`, `emails[value eq "x"]`, `id eq "x"`)
 * reads a handful of rows whatever else it says. Any other filter reads every
 * resource of the tenant and evaluates each of its conditions on each of them:
 * on 50,000 users a `co` on a JSONB attribute costs about 10 ms, so a filter of
 * 200 of them holds a connection for seconds. Such a filter may hold at most
 * MAX_UNINDEXED_TERMS conditions; more is refused with `400 invalidFilter`
 * before it reaches the database.
 */
import { ScimError } from '../errors';
import type { CompareNode, FilterNode, PresentNode, ValuePathNode } from './filter.ast';
import type { SqlAttribute, SqlAttributeMapping } from './filter-to-sql';

/** Most conditions a filter may evaluate on every resource of the tenant (when no indexed equality narrows it). */
export const MAX_UNINDEXED_TERMS = 10;

/** How a filter reaches its rows. */
export interface FilterCost {
  /** An indexed equality selects the rows: the rest is evaluated on those alone. */
  readonly narrowed: boolean;
  /** Conditions no index serves: each is evaluated on every row read. */
  readonly unindexedTerms: number;
  /** An equality on a unique attribute (`userName eq`, `id eq`) selects the rows: there is at most one. */
  readonly atMostOne: boolean;
}

/** Reads the cost of `node` through `mapping`; unknown attributes cost nothing here (the translator refuses them). */
export function filterCost(node: FilterNode, mapping: SqlAttributeMapping): FilterCost {
  switch (node.kind) {
    case 'compare':
    case 'present':
      return termCost(node, mapping.resolve(node.path));
    case 'valuePath':
      return valuePathCost(node, mapping.resolve(node.path));
    case 'not': {
      // `not (userName eq "x")` matches nearly every row: nothing inside narrows it.
      const inner = filterCost(node.filter, mapping);
      return { narrowed: false, unindexedTerms: inner.unindexedTerms, atMostOne: false };
    }
    case 'logical': {
      const left = filterCost(node.left, mapping);
      const right = filterCost(node.right, mapping);
      return {
        // `a and b` reads what either side selects; `a or b` must read what both do.
        narrowed: node.op === 'and' ? left.narrowed || right.narrowed : left.narrowed && right.narrowed,
        unindexedTerms: left.unindexedTerms + right.unindexedTerms,
        atMostOne: node.op === 'and' && (left.atMostOne || right.atMostOne),
      };
    }
  }
}

/**
 * Throws `400 invalidFilter` naming the limit when a filter that no indexed
 * equality narrows holds more than MAX_UNINDEXED_TERMS unindexed conditions;
 * returns the cost it read otherwise.
 */
export function assertFilterAffordable(node: FilterNode, mapping: SqlAttributeMapping): FilterCost {
  const cost = filterCost(node, mapping);
  if (cost.narrowed || cost.unindexedTerms <= MAX_UNINDEXED_TERMS) return cost;
  throw ScimError.badRequest(
    'invalidFilter',
    `the filter is too costly: it has ${cost.unindexedTerms} conditions that no index serves ` +
      `(co, sw, ew, ne, gt, ge, lt, le, pr, or any comparison on an attribute without an index), ` +
      `and at most ${MAX_UNINDEXED_TERMS} are accepted unless an indexed equality ` +
      `(such as userName eq, externalId eq or id eq) narrows the search`,
  );
}

const INDEXED: FilterCost = { narrowed: true, unindexedTerms: 0, atMostOne: false };
const UNIQUE: FilterCost = { narrowed: true, unindexedTerms: 0, atMostOne: true };
const ONE_SCAN: FilterCost = { narrowed: false, unindexedTerms: 1, atMostOne: false };

function termCost(node: CompareNode | PresentNode, attribute: SqlAttribute | undefined): FilterCost {
  if (node.kind === 'present' || node.op !== 'eq' || node.value === null || attribute === undefined) return ONE_SCAN;
  switch (attribute.kind) {
    case 'column':
    case 'custom':
      if (attribute.indexed !== true) return ONE_SCAN;
      return attribute.unique === true ? UNIQUE : INDEXED;
    case 'jsonbArray':
      // `emails eq "x"`, `emails.value eq "x"`: the GIN-indexed copy of that sub-attribute.
      return servedByArrayColumn(attribute, node.path.subAttribute ?? 'value', node) ? INDEXED : ONE_SCAN;
    case 'jsonb':
      return ONE_SCAN;
  }
}

/** `emails[type eq "work" and value eq "x"]` is narrowed by its indexed conjunct; every inner condition counts. */
function valuePathCost(node: ValuePathNode, attribute: SqlAttribute | undefined): FilterCost {
  const terms = countTerms(node.filter);
  if (attribute?.kind === 'custom') {
    // A single condition such as members[value eq "x"] goes to the attribute as `members.value eq "x"`.
    const inner = node.filter;
    return inner.kind === 'compare' || inner.kind === 'present'
      ? termCost({ ...inner, path: { ...node.path, subAttribute: inner.path.attribute } }, attribute)
      : { narrowed: false, unindexedTerms: terms, atMostOne: false };
  }
  const narrowed =
    attribute?.kind === 'jsonbArray' &&
    andConjuncts(node.filter).some(
      (conjunct) =>
        conjunct.kind === 'compare' &&
        conjunct.op === 'eq' &&
        conjunct.path.subAttribute === undefined &&
        servedByArrayColumn(attribute, conjunct.path.attribute, conjunct),
    );
  return narrowed ? INDEXED : { narrowed: false, unindexedTerms: terms, atMostOne: false };
}

function servedByArrayColumn(
  attribute: Extract<SqlAttribute, { kind: 'jsonbArray' }>,
  sub: string,
  node: CompareNode,
): boolean {
  return (
    attribute.arrayColumn !== undefined &&
    typeof node.value === 'string' &&
    attribute.arrayColumn.subAttribute.toLowerCase() === sub.toLowerCase()
  );
}

function countTerms(node: FilterNode): number {
  switch (node.kind) {
    case 'compare':
    case 'present':
      return 1;
    case 'not':
    case 'valuePath':
      return countTerms(node.filter);
    case 'logical':
      return countTerms(node.left) + countTerms(node.right);
  }
}

function andConjuncts(node: FilterNode): FilterNode[] {
  return node.kind === 'logical' && node.op === 'and'
    ? [...andConjuncts(node.left), ...andConjuncts(node.right)]
    : [node];
}
