import { parseFilter } from '../filter/filter.parser';
import { filterToSql } from '../filter/filter-to-sql';
import type { ListQuery } from '../list/list-query';
import { resourceSqlMapping } from '../storage/resource-sql-mapping';
import { rootPageSql, rootSqlMapping, type RootSearchedType } from './root-query';

const TYPES: RootSearchedType[] = [
  {
    ref: 'User',
    table: 'users',
    alias: 'u',
    mapping: resourceSqlMapping('User', 'u.resource', {
      scalars: {
        userName: { kind: 'column', sql: 'u.user_name', type: 'string', caseExact: false },
        active: { kind: 'column', sql: 'u.active', type: 'boolean', caseExact: false },
        'meta.created': { kind: 'column', sql: 'u.created_at', type: 'dateTime', caseExact: false },
      },
    }),
  },
  {
    ref: 'Group',
    table: 'groups',
    alias: 'g',
    mapping: resourceSqlMapping('Group', 'g.resource', {
      scalars: {
        displayName: { kind: 'column', sql: 'g.display_name', type: 'string', caseExact: false },
        'meta.created': { kind: 'column', sql: 'g.created_at', type: 'dateTime', caseExact: false },
      },
    }),
  },
];

const query = (overrides: Partial<ListQuery> = {}): ListQuery => ({
  startIndex: 1,
  count: 10,
  sortOrder: 'ascending',
  projection: {},
  ...overrides,
});

const whereFor = (index: number, filter: string): string =>
  filterToSql(parseFilter(filter), rootSqlMapping(TYPES, index), ['tenant']);

describe('rootSqlMapping', () => {
  it('reads an attribute a type has where that type keeps it', () => {
    expect(whereFor(0, 'userName eq "a"')).toContain('u.user_name');
    expect(whereFor(1, 'displayName eq "a"')).toContain('g.display_name');
  });

  // RFC 7644 §3.4.2: an attribute a type lacks is treated as having no value.
  it.each(['userName eq "a"', 'active eq true', 'userName pr', 'emails[type eq "work"]', 'name.givenName sw "A"'])(
    'reads %s on a group from an empty document, never from its columns',
    (filter) => {
      const where = whereFor(1, filter);
      expect(where).toContain(`'{}'::jsonb`);
      expect(where).not.toMatch(/\bg\./);
    },
  );

  it('reads members on a user from an empty document', () => {
    expect(whereFor(0, 'members pr')).toContain(`'{}'::jsonb`);
  });

  it('keeps an attribute no type has unknown: invalidFilter', () => {
    expect(() => whereFor(0, 'shoeSize eq 4')).toThrow(expect.objectContaining({ scimType: 'invalidFilter' }));
    expect(() => whereFor(1, 'shoeSize eq 4')).toThrow(expect.objectContaining({ scimType: 'invalidFilter' }));
  });

  it('still types a value by the type that has the attribute (active gt 5 is no comparison)', () => {
    expect(() => whereFor(1, 'active eq "yes"')).toThrow(expect.objectContaining({ scimType: 'invalidFilter' }));
  });
});

describe('rootPageSql', () => {
  it('unions every type for the tenant, in a stable order: type, then creation, then id', () => {
    const sql = rootPageSql('tenant-1', TYPES, query({ startIndex: 21, count: 5 }));
    expect(sql.params).toEqual(['tenant-1']);
    expect(sql.rows).toContain('FROM users u WHERE u.tenant_id = $1 AND (true)');
    expect(sql.rows).toContain('FROM groups g WHERE g.tenant_id = $1 AND (true)');
    expect(sql.rows).toContain('UNION ALL');
    expect(sql.rows).toMatch(/ORDER BY found\.type_index, found\.created_at, found\.id\s+LIMIT 5 OFFSET 20$/);
    expect(sql.count).toMatch(/^SELECT count\(\*\) AS total FROM \(/);
  });

  it('compiles the filter once per type, values as parameters', () => {
    const sql = rootPageSql('t', TYPES, query({ filter: parseFilter('userName eq "x" or displayName eq "x"') }));
    expect(sql.params).toEqual(['t', 'x', 'x', 'x', 'x']);
    expect(sql.rows).not.toContain('"x"');
  });

  it('sorts by the key first, then the stable order; a type without the attribute sorts as unassigned', () => {
    const sql = rootPageSql('t', TYPES, query({ sortBy: 'userName', sortOrder: 'descending' }));
    expect(sql.rows).toContain('lower(u.user_name) AS sort_key');
    expect(sql.rows).toContain('NULL AS sort_key');
    expect(sql.rows).toContain('ORDER BY found.sort_key DESC, found.type_index, found.created_at, found.id');
  });

  it('sorts an attribute both types have by each one’s own column', () => {
    const sql = rootPageSql('t', TYPES, query({ sortBy: 'meta.created' }));
    expect(sql.rows).toContain('u.created_at AS sort_key');
    expect(sql.rows).toContain('g.created_at AS sort_key');
  });

  it.each(['shoeSize', 'name'])('refuses to sort by %s with invalidValue', (sortBy) => {
    expect(() => rootPageSql('t', TYPES, query({ sortBy }))).toThrow(
      expect.objectContaining({ scimType: 'invalidValue' }),
    );
  });
});
