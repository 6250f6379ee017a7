/** The SCIM filter language (RFC 7644 §3.4.2.2) and PATCH paths (RFC 7644 §3.5.2). */
export type {
  AttributePath,
  CompareNode,
  CompareOperator,
  CompareValue,
  FilterNode,
  LogicalNode,
  NotNode,
  PresentNode,
  ValuePathNode,
} from './filter.ast';
export {
  MAX_FILTER_DEPTH,
  MAX_FILTER_LENGTH,
  MAX_FILTER_TERMS,
  formatPath,
  parseFilter,
  parsePatchPath,
  type PatchPath,
} from './filter.parser';
export {
  compileFilter,
  compileValueFilter,
  matchesFilter,
  matchesValueFilter,
  subAttributeResolver,
  type AttributeResolver,
  type FilterPredicate,
} from './filter.evaluator';
export { MAX_UNINDEXED_TERMS, assertFilterAffordable, filterCost, type FilterCost } from './filter-cost';
export {
  addSqlParam,
  filterToSql,
  type SqlArrayColumn,
  type SqlAttribute,
  type SqlAttributeMapping,
  type SqlColumnAttribute,
  type SqlCustomAttribute,
  type SqlElementAttribute,
  type SqlJsonbArrayAttribute,
  type SqlJsonbAttribute,
  type SqlScalarTraits,
  type SqlScalarType,
} from './filter-to-sql';
