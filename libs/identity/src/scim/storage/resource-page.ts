import { EntityManager, QueryFailedError } from 'typeorm';
import { ScimError } from '../errors';
import { assertFilterAffordable } from '../filter/filter-cost';
import { addSqlParam, filterToSql, type SqlAttributeMapping } from '../filter/filter-to-sql';
import type { ListQuery } from '../list/list-query';
import { parseAttributeName } from '../schemas/schema-registry';
import { runStatement } from './prepared-statements';
import { sortExpression } from './sort-expression';

/** Where an earlier page ended, in the stable order (creation time, then id). */
export interface PageCursor {
  readonly createdAt: Date;
  readonly id: string;
}

/** What a list or search asks of a repository. */
export interface PageQuery {
  /** Writes a condition over the table's alias, adding its values to `params` ($1 is already the tenant). */
  readonly where: (params: unknown[]) => string;
  /** Must end in a unique key, so that pages neither overlap nor skip. */
  readonly orderBy: string;
  readonly offset: number;
  readonly limit: number;
  /** A filtered list is small: its total comes with its rows (see resourcePage). */
  readonly filtered: boolean;
  /** The filter matches at most one row (an equality on a unique attribute): it needs no order. */
  readonly atMostOne: boolean;
  /** Seek past this row instead of skipping `offset` rows (only with the stable order; see PageCursors). */
  readonly after?: PageCursor;
}

/** A page of rows and the total matching the filter. */
export interface Page<Row> {
  readonly rows: Row[];
  readonly total: number;
}

/**
 * One page of a tenant's resources in `table` (aliased `alias`), and the
 * total matching (`count=0` asks for the total alone).
 */
export async function resourcePage<Row>(
  em: EntityManager,
  tenantId: string,
  from: { readonly table: string; readonly alias: string; readonly select: string },
  query: PageQuery,
): Promise<Page<Row>> {
  const params: unknown[] = [tenantId];
  const matching = `${from.alias}.tenant_id = $1 AND (${query.where(params)})`;
  const countParams = [...params];
  const count = async (): Promise<number> => {
    const sql = `SELECT count(*) AS total FROM ${from.table} ${from.alias} WHERE ${matching}`;
    return Number((await runStatement<{ total: string }>(em, sql, countParams))[0].total);
  };
  if (query.limit === 0) return { rows: [], total: await count() };

  // The first page of a filter (a lookup by userName above all): fewer rows than asked for are all there is, so
  // the total is their number, with no count at all. A full first page takes its total from a count.
  if (query.filtered && !query.after && query.offset === 0) {
    // One row at most needs no sort: PostgreSQL would set one up at every lookup by userName.
    const order = query.atMostOne ? '' : ` ORDER BY ${query.orderBy} LIMIT ${query.limit}`;
    const rows = await runStatement<Row>(
      em,
      keptText(from.select, `${from.table} ${from.alias} WHERE ${matching}${order}`),
      params,
    );
    return { rows, total: rows.length < query.limit ? rows.length : await count() };
  }

  if (query.filtered && !query.after) {
    const rows = await runStatement<Row & { total_count: string }>(
      em,
      `SELECT ${from.select}, count(*) OVER () AS total_count FROM ${from.table} ${from.alias} WHERE ${matching}
        ORDER BY ${query.orderBy} LIMIT ${query.limit} OFFSET ${query.offset}`,
      params,
      false,
    );
    if (rows.length === 0) return { rows: [], total: await count() };
    return { rows: rows.map(({ total_count: _total, ...row }) => row as Row), total: Number(rows[0].total_count) };
  }

  const total = await count();
  if (total === 0) return { rows: [], total };
  // Seeking on the (tenant_id, created_at, id) index costs the same on the last page of an import as on the first.
  // The row's own created_at is read back exactly (a JavaScript Date keeps only milliseconds);
  // the remembered one stands in if that row has been deleted since.
  const seek = query.after
    ? ` AND (${from.alias}.created_at, ${from.alias}.id) > ${seekKey(from.table, query.after, params)}`
    : '';
  const rows = await runStatement<Row>(
    em,
    `SELECT ${from.select} FROM ${from.table} ${from.alias} WHERE ${matching}${seek}
      ORDER BY ${query.orderBy} LIMIT ${query.limit} OFFSET ${query.after ? 0 : query.offset}`,
    params,
    query.after !== undefined || query.offset === 0,
  );
  return { rows, total };
}

/**
 * `SELECT select FROM rest`, the same string each time for the same parts. A text built afresh
 * is flattened and hashed in full (~700 characters with a user's groups) where runStatement finds
 * its prepared name, and pg compares it in full with the text it prepared under that name; a kept
 * one is hashed once and compared by identity. The parts never hold a value (values are
 * parameters), so there are few texts; they are bounded all the same.
 */
function keptText(select: string, rest: string): string {
  let texts = keptTexts.get(select);
  if (!texts) keptTexts.set(select, (texts = new Map<string, string>()));
  let text = texts.get(rest);
  if (text === undefined) {
    text = `SELECT ${select} FROM ${rest}`;
    if (texts.size < MAX_KEPT_TEXTS) texts.set(rest, text);
  }
  return text;
}

/** Texts by their select list (a constant per caller, hashed once), then by the rest. */
const keptTexts = new Map<string, Map<string, string>>();
const MAX_KEPT_TEXTS = 500;

function seekKey(table: string, after: PageCursor, params: unknown[]): string {
  const id = addSqlParam(params, after.id);
  const createdAt = addSqlParam(params, after.createdAt);
  return `(COALESCE((SELECT c.created_at FROM ${table} c WHERE c.id = ${id}::uuid), ${createdAt}::timestamptz), ${id}::uuid)`;
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
export function pageQueryOf(
  query: ListQuery,
  mapping: SqlAttributeMapping,
  stableOrder: string,
  after?: PageCursor,
): PageQuery {
  const sortBy = query.sortBy;
  const direction = query.sortOrder === 'descending' ? 'DESC' : 'ASC';
  // Refused here, before any connection is taken: a costly filter never reaches the database.
  const cost = query.filter ? assertFilterAffordable(query.filter, mapping) : undefined;
  return {
    where: (params) => (query.filter ? filterToSql(query.filter, mapping, params) : 'true'),
    orderBy: sortBy
      ? `${sortExpression(mapping.resolve(parseAttributeName(sortBy)), sortBy)} ${direction}, ${stableOrder}`
      : stableOrder,
    // RFC 7644 §3.4.2.4: startIndex is 1-based.
    offset: query.startIndex - 1,
    limit: query.count,
    filtered: query.filter !== undefined,
    atMostOne: cost?.atMostOne ?? false,
    after: sortBy ? undefined : after,
  };
}
