import { EntityManager, QueryFailedError } from 'typeorm';
import { ScimError } from '../errors';
import { filterToSql, type SqlAttributeMapping } from '../filter/filter-to-sql';
import type { ListQuery } from '../list/list-query';
import { parseAttributeName } from '../schemas/schema-registry';
import { sortExpression } from './sort-expression';

/** What a list or search asks of a repository. */
export interface PageQuery {
  /** Writes a condition over the table's alias, adding its values to `params` ($1 is already the tenant). */
  readonly where: (params: unknown[]) => string;
  /** Must end in a unique key, so that pages neither overlap nor skip. */
  readonly orderBy: string;
  readonly offset: number;
  readonly limit: number;
}

/** A page of rows and the total matching the filter. */
export interface Page<Row> {
  readonly rows: Row[];
  readonly total: number;
}

/**
 * One page of a tenant's resources in `table` (aliased `alias`): the total
 * first, and the rows only when the page can hold any (`count=0` asks for the total alone).
 */
export async function resourcePage<Row>(
  em: EntityManager,
  tenantId: string,
  from: { readonly table: string; readonly alias: string; readonly select: string },
  query: PageQuery,
): Promise<Page<Row>> {
  const params: unknown[] = [tenantId];
  const condition = `${from.alias}.tenant_id = $1 AND (${query.where(params)})`;
  const [{ total }] = await em.query<[{ total: string }]>(
    `SELECT count(*) AS total FROM ${from.table} ${from.alias} WHERE ${condition}`,
    params,
  );
  if (query.limit === 0 || Number(total) === 0) return { rows: [], total: Number(total) };
  const rows = await em.query<Row[]>(
    `SELECT ${from.select} FROM ${from.table} ${from.alias} WHERE ${condition}
      ORDER BY ${query.orderBy} LIMIT ${query.limit} OFFSET ${query.offset}`,
    params,
  );
  return { rows, total: Number(total) };
}

const UNIQUE_VIOLATION = '23505';

/** Runs a write, turning a unique-key violation into SCIM's 409 `uniqueness` with `detail`. */
export async function uniquely<T>(detail: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === UNIQUE_VIOLATION) {
      throw ScimError.conflict(detail);
    }
    throw error;
  }
}

/**
 * The PageQuery of a SCIM list or search: its filter in SQL through `mapping`,
 * its sortBy (RFC 7644 §3.4.2.3), then `stableOrder` so that pages are stable.
 */
export function pageQueryOf(query: ListQuery, mapping: SqlAttributeMapping, stableOrder: string): PageQuery {
  const sortBy = query.sortBy;
  const direction = query.sortOrder === 'descending' ? 'DESC' : 'ASC';
  return {
    where: (params) => (query.filter ? filterToSql(query.filter, mapping, params) : 'true'),
    orderBy: sortBy
      ? `${sortExpression(mapping.resolve(parseAttributeName(sortBy)), sortBy)} ${direction}, ${stableOrder}`
      : stableOrder,
    // RFC 7644 §3.4.2.4: startIndex is 1-based.
    offset: query.startIndex - 1,
    limit: query.count,
  };
}
