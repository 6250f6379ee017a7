import { filterToSql } from '../scim/filter/filter-to-sql';
import { parseFilter } from '../scim/filter/filter.parser';
import { parseAttributeName } from '../scim/schemas/schema-registry';
import { sortExpression } from '../scim/storage/sort-expression';
import { USER_SQL_MAPPING } from './user-sql-mapping';

const sql = (filter: string): { where: string; params: unknown[] } => {
  const params: unknown[] = ['tenant'];
  return { where: filterToSql(parseFilter(filter), USER_SQL_MAPPING, params), params };
};

describe('USER_SQL_MAPPING', () => {
  it.each([
    ['userName eq "Ann@X.com"', 'lower(u.user_name) = lower($2)'],
    ['USERNAME EQ "a"', 'lower(u.user_name) = lower($2)'],
    ['externalId eq "00u1"', 'u.external_id = $2'],
    ['id eq "2819c223-7f76-453a-919d-413861904646"', 'u.id = $2::uuid'],
    ['emails.value eq "a@x.com"', 'u.email_values @> ARRAY[lower($2)]::text[]'],
    ['emails[value eq "a@x.com"]', 'u.email_values @> ARRAY[lower($2)]::text[]'],
  ])('puts %s on an indexed column: %s', (filter, expected) => {
    expect(sql(filter).where).toContain(expected);
  });

  it('compares meta.lastModified as a timestamp column', () => {
    expect(sql('meta.lastModified gt "2024-01-01T00:00:00Z"').where).toContain('u.updated_at');
  });

  it('reads other attributes from the JSONB document, extensions under their URN', () => {
    expect(sql('name.familyName sw "Sm"').where).toMatch(/u\.resource #>> '\{"?name"?,"?familyName"?\}'/);
    const { where } = sql('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "R&D"');
    expect(where).toContain('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User');
    expect(where).toContain('department');
  });

  it('matches nothing, without a cast error, for an id that is no uuid', () => {
    expect(sql('id eq "not-a-uuid"')).toEqual({ where: '(false)', params: ['tenant'] });
  });

  it('keeps values out of the SQL text', () => {
    const { where, params } = sql(`userName eq "x'; DROP TABLE users; --"`);
    expect(where).not.toContain('DROP');
    expect(params).toContain(`x'; DROP TABLE users; --`);
  });

  it.each(['unknownAttribute eq "x"', 'meta.location eq "x"', 'name eq "x"'])(
    'refuses %s as invalidFilter',
    (filter) => {
      expect(() => sql(filter)).toThrow(expect.objectContaining({ scimType: 'invalidFilter' }));
    },
  );
});

describe('sortExpression on users', () => {
  const sortBy = (name: string): string => sortExpression(USER_SQL_MAPPING.resolve(parseAttributeName(name)), name);

  it.each([
    ['userName', 'lower(u.user_name)'],
    ['meta.created', 'u.created_at'],
    ['externalId', 'u.external_id'],
  ])('%s → %s', (name, expected) => {
    expect(sortBy(name)).toBe(expected);
  });

  it('sorts a JSONB string case-insensitively', () => {
    expect(sortBy('name.familyName')).toMatch(/^lower\(\(u\.resource #>> '\{"name","familyName"\}'\)\)$/);
  });

  it('sorts a multi-valued attribute by its primary value', () => {
    expect(sortBy('emails')).toContain("(e.elem ->> 'primary') = 'true' DESC");
  });

  it.each(['nope', 'name'])('refuses to sort by %s', (name) => {
    expect(() => sortBy(name)).toThrow(expect.objectContaining({ scimType: 'invalidValue' }));
  });
});

describe('meta attributes in user filters', () => {
  it.each([
    ['meta.resourceType eq "User"', `('User') = $2`],
    ['meta.version eq "W/\\"3\\""', `('W/"' || u.version || COALESCE('.' ||`],
  ])('%s → %s', (filter, expected) => {
    expect(sql(filter).where).toContain(expected);
  });
});
