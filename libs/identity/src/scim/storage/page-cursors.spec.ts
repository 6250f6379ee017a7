import type { ListQuery } from '../list/list-query';
import { parseFilter } from '../filter/filter.parser';
import { PageCursors } from './page-cursors';

const query = (startIndex: number, extra: Partial<ListQuery> = {}): ListQuery => ({
  startIndex,
  count: 2,
  sortOrder: 'ascending',
  projection: {},
  ...extra,
});
const row = (id: string, ms: number) => ({ id, created_at: new Date(ms) });

describe('PageCursors', () => {
  it('lets the page after a full page seek from its last row', () => {
    const cursors = new PageCursors();
    cursors.remember('t1', 'User', query(1), [row('a', 1), row('b', 2)]);
    expect(cursors.find('t1', 'User', query(3))).toEqual({ id: 'b', createdAt: new Date(2) });
  });

  it.each([
    ['another start index', 't1', 'User', query(5)],
    ['another tenant', 't2', 'User', query(3)],
    ['another resource type', 't1', 'Group', query(3)],
    ['another filter', 't1', 'User', query(3, { filter: parseFilter('active eq true') })],
    ['a sorted listing', 't1', 'User', query(3, { sortBy: 'userName' })],
  ])('has nothing for %s', (_case, tenant, type, next) => {
    const cursors = new PageCursors();
    cursors.remember('t1', 'User', query(1), [row('a', 1), row('b', 2)]);
    expect(cursors.find(tenant, type, next)).toBeUndefined();
  });

  it('remembers nothing after the last, partial page', () => {
    const cursors = new PageCursors();
    cursors.remember('t1', 'User', query(1), [row('a', 1)]);
    expect(cursors.find('t1', 'User', query(2))).toBeUndefined();
    expect(cursors.find('t1', 'User', query(3))).toBeUndefined();
  });
});
