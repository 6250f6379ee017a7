import { z } from 'zod';

/** Most entries one page of a log holds. */
export const MAX_LOG_PAGE = 200;

/**
 * The paging every log read shares: newest first; `after` is the `nextCursor` of the page before
 * (an entry id), and the next page holds the entries older than it.
 */
export const logPageQuery = z.object({
  after: z
    .string()
    .regex(/^[1-9][0-9]{0,17}$/, 'must be the nextCursor of an earlier page')
    .optional(),
  limit: z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(1, `must be between 1 and ${MAX_LOG_PAGE}`)
    .max(MAX_LOG_PAGE, `must be between 1 and ${MAX_LOG_PAGE}`)
    .default(50),
});

/** One page of a log, newest first; `nextCursor` is null on the last page. */
export interface LogPage<Entry> {
  readonly entries: Entry[];
  readonly nextCursor: string | null;
}

/** Rows read with `limit + 1`, as a page: the extra row only says there is more. */
export function toLogPage<Row extends { id: string }, Entry>(
  rows: Row[],
  limit: number,
  view: (row: Row) => Entry,
): LogPage<Entry> {
  const page = rows.slice(0, limit);
  return {
    entries: page.map(view),
    nextCursor: rows.length > limit ? page[page.length - 1].id : null,
  };
}
