/**
 * A query at the server root (RFC 7644 §3.4.2.1 GET, §3.4.3 POST /.search):
 * one filter, sort and page over several resource types at once. Pure: it
 * writes the SQL that ranks matching resources of every type, and the
 * repositories then load the page's rows by id.
 */
import { ScimError } from '../errors';
import type { AttributePath } from '../filter/filter.ast';
import { assertFilterAffordable } from '../filter/filter-cost';
import { filterToSql, type SqlAttributeMapping } from '../filter/filter-to-sql';
import type { ListQuery } from '../list/list-query';
import { parseAttributeName, resolveAttribute, type ResourceTypeRef } from '../schemas/schema-registry';
import { resourceSqlMapping } from '../storage/resource-sql-mapping';
import { sortExpression } from '../storage/sort-expression';

/** One resource type searched at the root: its table and where its attributes live. */
export interface RootSearchedType {
  readonly ref: ResourceTypeRef;
  readonly table: string;
  readonly alias: string;
  readonly mapping: SqlAttributeMapping;
}

/** A row of the `rows` query: the type's index in the list searched, the id, and the total matching. */
export interface RootHitRow {
  readonly type_index: number;
  readonly id: string;
  readonly total: string;
}

/** The SQL of one root page: `rows` ranks the page; `count` counts all matches. Both take `params` ($1 the tenant). */
export interface RootPageSql {
  readonly rows: string;
  readonly count: string;
  readonly params: unknown[];
}

/** Where a type without the attribute reads it: a document that holds nothing. */
const NOTHING = `'{}'::jsonb`;

/**
 * The mapping a root filter uses for `types[index]`. RFC 7644 §3.4.2: "For
 * filtered attributes that are not part of a particular resource type, the
 * service provider SHALL treat the attribute as if there is no attribute
 * value" — so `userName eq "x"` matches no group, and `not (userName eq "x")`
 * every group. Such an attribute is read, typed by the type that has it, from
 * an empty document: the filter translator then gives exactly the answers it
 * gives for an unassigned value. An attribute no type has stays unknown
 * (invalidFilter), as in a single type's filter.
 */
export function rootSqlMapping(types: readonly RootSearchedType[], index: number): SqlAttributeMapping {
  const own = types[index];
  const others = types.filter((_, other) => other !== index);
  return {
    resolve(path: AttributePath) {
      if (resolveAttribute(own.ref, path)) return own.mapping.resolve(path);
      const owner = others.find((other) => resolveAttribute(other.ref, path));
      return owner ? resourceSqlMapping(owner.ref, NOTHING, { scalars: {} }).resolve(path) : undefined;
    },
  };
}

/**
 * The sort key of `types[index]` for `sortBy` (RFC 7644 §3.4.2.3): a type
 * without the attribute has no value, and sorts as an unassigned value does
 * (last when ascending, PostgreSQL's NULLS LAST; first when descending). An
 * attribute no type can sort by is invalidValue.
 */
function sortKey(types: readonly RootSearchedType[], index: number, sortBy: string): string {
  const path = parseAttributeName(sortBy);
  if (!types.some((type) => resolveAttribute(type.ref, path))) {
    throw ScimError.badRequest('invalidValue', `cannot sort by '${sortBy}'`);
  }
  const type = types[index];
  // A bare NULL takes the type of the other branches' key (PostgreSQL's UNION type resolution).
  return resolveAttribute(type.ref, path) ? sortExpression(type.mapping.resolve(path), sortBy) : 'NULL';
}

/**
 * The SQL of a root page: every type's matching rows (tenant `$1`) in one
 * order — by `sortBy` when given — then by type (in the order listed), creation
 * time and id, a unique key, so pages neither overlap nor skip.
 */
export function rootPageSql(tenantId: string, types: readonly RootSearchedType[], query: ListQuery): RootPageSql {
  const params: unknown[] = [tenantId];
  const branches = types.map((type, index) => {
    const mapping = rootSqlMapping(types, index);
    if (query.filter) assertFilterAffordable(query.filter, mapping);
    const where = query.filter ? filterToSql(query.filter, mapping, params) : 'true';
    const key = query.sortBy ? `, ${sortKey(types, index, query.sortBy)} AS sort_key` : '';
    const { alias } = type;
    return `SELECT ${index} AS type_index, ${alias}.id, ${alias}.created_at${key}
      FROM ${type.table} ${alias} WHERE ${alias}.tenant_id = $1 AND (${where})`;
  });
  const found = `(${branches.join('\n UNION ALL\n')}) AS found`;
  const direction = query.sortOrder === 'descending' ? 'DESC' : 'ASC';
  const orderBy = `${query.sortBy ? `found.sort_key ${direction}, ` : ''}found.type_index, found.created_at, found.id`;
  return {
    rows: `SELECT found.type_index, found.id, count(*) OVER () AS total FROM ${found}
      ORDER BY ${orderBy} LIMIT ${query.count} OFFSET ${query.startIndex - 1}`,
    count: `SELECT count(*) AS total FROM ${found}`,
    params,
  };
}
