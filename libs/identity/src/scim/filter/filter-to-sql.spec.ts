import { ScimError } from '../errors';
import type { AttributePath } from './filter.ast';
import { DATE_TIME_PATTERN } from './filter.evaluator';
import { parseFilter } from './filter.parser';
import {
  addSqlParam,
  filterToSql,
  type SqlAttribute,
  type SqlAttributeMapping,
  type SqlElementAttribute,
} from './filter-to-sql';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const EMPTY = `'null'::jsonb, '""'::jsonb, '[]'::jsonb, '{}'::jsonb`;
const EMAILS_ARRAY = `CASE WHEN jsonb_typeof(u.resource #> '{emails}') = 'array' THEN u.resource #> '{emails}' ELSE '[]'::jsonb END`;
const EMAILS_OR_MISSING = `CASE WHEN jsonb_typeof(u.resource #> '{emails}') = 'array' AND (u.resource #> '{emails}') <> '[]'::jsonb THEN u.resource #> '{emails}' ELSE '[null]'::jsonb END`;

const EMAIL_SUBS: Record<string, SqlElementAttribute> = {
  value: { name: 'value', type: 'string', caseExact: false },
  type: { name: 'type', type: 'string', caseExact: false },
  primary: { name: 'primary', type: 'boolean', caseExact: false },
};

/** A users mapping like the repository's: columns, JSONB scalars, an array with an index column, a custom attribute. */
const ATTRIBUTES: Record<string, SqlAttribute> = {
  id: { kind: 'column', sql: 'u.id', type: 'string', caseExact: true },
  username: { kind: 'column', sql: 'u.user_name', type: 'string', caseExact: false },
  externalid: { kind: 'column', sql: 'u.external_id', type: 'string', caseExact: true },
  active: { kind: 'column', sql: 'u.active', type: 'boolean', caseExact: false },
  'meta.lastmodified': { kind: 'column', sql: 'u.updated_at', type: 'dateTime', caseExact: false },
  'meta.created': {
    kind: 'jsonb',
    document: 'u.resource',
    path: ['meta', 'created'],
    type: 'dateTime',
    caseExact: false,
  },
  displayname: { kind: 'jsonb', document: 'u.resource', path: ['displayName'], type: 'string', caseExact: false },
  nickname: { kind: 'jsonb', document: 'u.resource', path: ['nickName'], type: 'string', caseExact: false },
  'name.givenname': {
    kind: 'jsonb',
    document: 'u.resource',
    path: ['name', 'givenName'],
    type: 'string',
    caseExact: false,
  },
  age: { kind: 'jsonb', document: 'u.resource', path: ['age'], type: 'integer', caseExact: false },
  verified: { kind: 'jsonb', document: 'u.resource', path: ['verified'], type: 'boolean', caseExact: false },
  [`${ENTERPRISE}:employeenumber`.toLowerCase()]: {
    kind: 'jsonb',
    document: 'u.resource',
    path: [ENTERPRISE, 'employeeNumber'],
    type: 'string',
    caseExact: false,
  },
  emails: {
    kind: 'jsonbArray',
    document: 'u.resource',
    path: ['emails'],
    subAttributes: (sub) => EMAIL_SUBS[sub.toLowerCase()],
    arrayColumn: { sql: 'u.email_values', subAttribute: 'value', lowercased: true },
  },
  ims: { kind: 'jsonbArray', document: 'u.resource', path: ['ims'] },
  members: {
    kind: 'custom',
    compile: (node, params) => {
      if (node.kind !== 'compare' || node.op !== 'eq') {
        throw ScimError.badRequest('invalidFilter', 'members supports eq only');
      }
      return `EXISTS (SELECT 1 FROM group_members gm WHERE gm.group_id = g.id AND gm.member_id = ${addSqlParam(params, node.value)})`;
    },
  },
};

/** Case-insensitive lookup (RFC 7643 §2.1); emails resolves with or without its sub-attribute. */
const mapping: SqlAttributeMapping = {
  resolve(path: AttributePath) {
    const prefix =
      path.schema === undefined || !path.schema.toLowerCase().includes('extension') ? '' : `${path.schema}:`;
    const whole =
      `${prefix}${path.attribute}${path.subAttribute === undefined ? '' : `.${path.subAttribute}`}`.toLowerCase();
    return (
      ATTRIBUTES[whole] ?? (path.subAttribute === undefined ? undefined : ATTRIBUTES[path.attribute.toLowerCase()])
    );
  },
};

function translate(filter: string, params: unknown[] = []): { sql: string; params: unknown[] } {
  const sql = filterToSql(parseFilter(filter), mapping, params);
  return { sql, params };
}

function errorOf(call: () => unknown): ScimError {
  try {
    call();
  } catch (error) {
    if (error instanceof ScimError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected a ScimError');
}

describe('filterToSql', () => {
  describe('columns', () => {
    it.each<[string, string, unknown[]]>([
      ['userName eq "BJensen"', 'lower(u.user_name) = lower($1)', ['BJensen']],
      ['urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"', 'lower(u.user_name) = lower($1)', ['x']],
      ['externalId eq "0a21f0f2"', 'u.external_id = $1', ['0a21f0f2']],
      ['userName ne "x"', 'lower(u.user_name) IS DISTINCT FROM lower($1)', ['x']],
      ['userName co "50%_off\\\\"', 'lower(u.user_name) LIKE lower($1)', ['%50\\%\\_off\\\\%']],
      ['userName sw "j"', 'lower(u.user_name) LIKE lower($1)', ['j%']],
      ['externalId ew "Z"', 'u.external_id LIKE $1', ['%Z']],
      ['userName gt "m"', 'lower(u.user_name) COLLATE "C" > lower($1)', ['m']],
      ['externalId le "m"', 'u.external_id COLLATE "C" <= $1', ['m']],
      ['userName eq 42', 'lower(u.user_name) = lower($1)', ['42']],
      ['userName pr', "(u.user_name IS NOT NULL AND u.user_name <> '')", []],
      ['userName eq null', 'u.user_name IS NULL', []],
      ['userName ne null', 'u.user_name IS NOT NULL', []],
      ['active eq true', 'u.active = $1::boolean', [true]],
      ['active eq "False"', 'u.active = $1::boolean', [false]],
      ['active ne true', 'u.active IS DISTINCT FROM $1::boolean', [true]],
      ['active pr', 'u.active IS NOT NULL', []],
      ['meta.lastModified gt "2011-05-13T04:42:34Z"', 'u.updated_at > $1::timestamptz', ['2011-05-13T04:42:34Z']],
      ['meta.lastModified le "2011-05-13t04:42:34"', 'u.updated_at <= $1::timestamptz', ['2011-05-13T04:42:34Z']],
    ])('%s', (filter, sql, params) => {
      expect(translate(filter)).toEqual({ sql, params });
    });
  });

  describe('JSONB scalars', () => {
    it.each<[string, string, unknown[]]>([
      ['name.givenName eq "Barbara"', "lower(u.resource #>> '{name,givenName}') = lower($1)", ['Barbara']],
      ['displayName co "Jen"', "lower(u.resource #>> '{displayName}') LIKE lower($1)", ['%Jen%']],
      [
        `${ENTERPRISE}:employeeNumber eq "701984"`,
        `lower(u.resource #>> '{${ENTERPRISE},employeeNumber}') = lower($1)`,
        ['701984'],
      ],
      ['name.givenName pr', `(u.resource #> '{name,givenName}') NOT IN (${EMPTY})`, []],
      ['nickName eq null', "(u.resource #>> '{nickName}') IS NULL", []],
      [
        'age gt 40',
        "(CASE WHEN jsonb_typeof(u.resource #> '{age}') = 'number' THEN (u.resource #>> '{age}')::numeric END) > $1::numeric",
        [40],
      ],
      [
        'age ne 40',
        "(CASE WHEN jsonb_typeof(u.resource #> '{age}') = 'number' THEN (u.resource #>> '{age}')::numeric END) IS DISTINCT FROM $1::numeric",
        [40],
      ],
      [
        'verified eq false',
        "(CASE WHEN jsonb_typeof(u.resource #> '{verified}') = 'boolean' THEN (u.resource #>> '{verified}')::boolean END) = $1::boolean",
        [false],
      ],
      [
        'meta.created ge "2011-05-13T04:42:34+02:00"',
        `(CASE WHEN (u.resource #>> '{meta,created}') ~ '${DATE_TIME_PATTERN}' THEN (u.resource #>> '{meta,created}')::timestamptz END) >= $1::timestamptz`,
        ['2011-05-13T04:42:34+02:00'],
      ],
    ])('%s', (filter, sql, params) => {
      expect(translate(filter)).toEqual({ sql, params });
    });
  });

  describe('multi-valued attributes in JSONB arrays', () => {
    it.each<[string, string, unknown[]]>([
      ['emails.value eq "X@Example.com"', 'u.email_values @> ARRAY[lower($1)]::text[]', ['X@Example.com']],
      ['emails eq "x@example.com"', 'u.email_values @> ARRAY[lower($1)]::text[]', ['x@example.com']],
      ['emails[value eq "x@example.com"]', 'u.email_values @> ARRAY[lower($1)]::text[]', ['x@example.com']],
      [
        'emails co "@example.com"',
        `EXISTS (SELECT 1 FROM jsonb_array_elements(${EMAILS_ARRAY}) AS e(elem) WHERE lower(e.elem ->> 'value') LIKE lower($1))`,
        ['%@example.com%'],
      ],
      [
        'emails.type ne "work"',
        `EXISTS (SELECT 1 FROM jsonb_array_elements(${EMAILS_OR_MISSING}) AS e(elem) WHERE lower(e.elem ->> 'type') IS DISTINCT FROM lower($1))`,
        ['work'],
      ],
      [
        'emails.type eq null',
        `EXISTS (SELECT 1 FROM jsonb_array_elements(${EMAILS_OR_MISSING}) AS e(elem) WHERE (e.elem ->> 'type') IS NULL)`,
        [],
      ],
      [
        'emails[type eq "work" and value co "@example.com"]',
        `EXISTS (SELECT 1 FROM jsonb_array_elements(${EMAILS_ARRAY}) AS e(elem) WHERE (lower(e.elem ->> 'type') = lower($1) AND lower(e.elem ->> 'value') LIKE lower($2)))`,
        ['work', '%@example.com%'],
      ],
      [
        // The indexed array column narrows first; the element test keeps "work" and the value on one element.
        'emails[type eq "work"].value eq "x@example.com"',
        `(u.email_values @> ARRAY[lower($1)]::text[] AND EXISTS (SELECT 1 FROM jsonb_array_elements(${EMAILS_ARRAY}) AS e(elem) WHERE (lower(e.elem ->> 'type') = lower($2) AND lower(e.elem ->> 'value') = lower($3))))`,
        ['x@example.com', 'work', 'x@example.com'],
      ],
      [
        'emails[type ne "work"]',
        `EXISTS (SELECT 1 FROM jsonb_array_elements(${EMAILS_ARRAY}) AS e(elem) WHERE lower(e.elem ->> 'type') IS DISTINCT FROM lower($1))`,
        ['work'],
      ],
      [
        'emails[not (primary eq true)]',
        `EXISTS (SELECT 1 FROM jsonb_array_elements(${EMAILS_ARRAY}) AS e(elem) WHERE NOT COALESCE((CASE WHEN jsonb_typeof(e.elem -> 'primary') = 'boolean' THEN (e.elem ->> 'primary')::boolean END) = $1::boolean, false))`,
        [true],
      ],
      [
        'emails pr',
        `EXISTS (SELECT 1 FROM jsonb_array_elements(${EMAILS_ARRAY}) AS e(elem) WHERE e.elem NOT IN (${EMPTY}))`,
        [],
      ],
      [
        'emails[type pr]',
        `EXISTS (SELECT 1 FROM jsonb_array_elements(${EMAILS_ARRAY}) AS e(elem) WHERE (e.elem -> 'type') NOT IN (${EMPTY}))`,
        [],
      ],
      [
        'ims.value eq "x"',
        "EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(u.resource #> '{ims}') = 'array' THEN u.resource #> '{ims}' ELSE '[]'::jsonb END) AS e(elem) WHERE lower(e.elem ->> 'value') = lower($1))",
        ['x'],
      ],
    ])('%s', (filter, sql, params) => {
      expect(translate(filter)).toEqual({ sql, params });
    });

    it('does not use a lowercased array column for a case-exact sub-attribute', () => {
      const exact: SqlAttributeMapping = {
        resolve: () => ({
          kind: 'jsonbArray',
          document: 'g.resource',
          path: ['codes'],
          subAttributes: () => ({ name: 'value', type: 'string', caseExact: true }),
          arrayColumn: { sql: 'g.code_values', subAttribute: 'value', lowercased: true },
        }),
      };
      expect(filterToSql(parseFilter('codes eq "A"'), exact, [])).toBe(
        "EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(g.resource #> '{codes}') = 'array' THEN g.resource #> '{codes}' ELSE '[]'::jsonb END) AS e(elem) WHERE (e.elem ->> 'value') = $1)",
      );
    });
  });

  describe('logic', () => {
    it.each<[string, string, unknown[]]>([
      ['not (userName eq "x")', 'NOT COALESCE(lower(u.user_name) = lower($1), false)', ['x']],
      [
        'userName eq "a" and active eq true and externalId pr',
        "(lower(u.user_name) = lower($1) AND u.active = $2::boolean AND (u.external_id IS NOT NULL AND u.external_id <> ''))",
        ['a', true],
      ],
      [
        'userName eq "a" or userName eq "b" and active eq true',
        '(lower(u.user_name) = lower($1) OR (lower(u.user_name) = lower($2) AND u.active = $3::boolean))',
        ['a', 'b', true],
      ],
      [
        'not (userName eq "a" or not (active eq true))',
        'NOT COALESCE((lower(u.user_name) = lower($1) OR NOT COALESCE(u.active = $2::boolean, false)), false)',
        ['a', true],
      ],
    ])('%s', (filter, sql, params) => {
      expect(translate(filter)).toEqual({ sql, params });
    });

    it('flattens a long chain into one level', () => {
      const filter = Array.from({ length: 200 }, (_, i) => `id eq ${i}`).join(' or ');
      const { sql, params } = translate(filter);
      expect(params).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
      expect(sql).toBe(`(${params.map((_, i) => `u.id = $${i + 1}`).join(' OR ')})`);
    });
  });

  describe('custom attributes', () => {
    it('hands comparisons to the mapping, in parentheses', () => {
      expect(translate('id eq "g1" and members eq "2819c223"')).toEqual({
        sql: '(u.id = $1 AND (EXISTS (SELECT 1 FROM group_members gm WHERE gm.group_id = g.id AND gm.member_id = $2)))',
        params: ['g1', '2819c223'],
      });
    });

    it('reads a single-condition value path as the sub-attribute comparison', () => {
      const compile = jest.fn().mockReturnValue('true');
      const custom: SqlAttributeMapping = { resolve: () => ({ kind: 'custom', compile }) };
      filterToSql(parseFilter('members[value eq "2819c223"]'), custom, []);
      expect(compile).toHaveBeenCalledWith(
        { kind: 'compare', path: { attribute: 'members', subAttribute: 'value' }, op: 'eq', value: '2819c223' },
        [],
      );
    });
  });

  it('appends to the parameters already there', () => {
    expect(translate('userName eq "x"', ['tenant-1'])).toEqual({
      sql: 'lower(u.user_name) = lower($2)',
      params: ['tenant-1', 'x'],
    });
  });

  it('never writes a value into the SQL text', () => {
    const hostile = `x'); DROP TABLE users; --\\ $1 %_"`;
    const literal = JSON.stringify(hostile);
    const filter = [
      `userName eq ${literal}`,
      `externalId co ${literal}`,
      `displayName sw ${literal}`,
      `name.givenName gt ${literal}`,
      `emails[type eq ${literal} and value ew ${literal}]`,
      `emails.value eq ${literal}`,
      `ims co ${literal}`,
      `members eq ${literal}`,
      `not (${ENTERPRISE}:employeeNumber ne ${literal})`,
    ].join(' or ');
    const { sql, params } = translate(filter);
    expect(sql).not.toContain('DROP');
    expect(sql).not.toContain("x'");
    expect(params).toHaveLength(10);
    expect(params.every((param) => typeof param === 'string' && param.includes('DROP TABLE'))).toBe(true);
  });

  it('quotes JSON path segments and keys from the mapping', () => {
    const odd: SqlAttributeMapping = {
      resolve: (path) =>
        path.attribute === 'a'
          ? {
              kind: 'jsonb',
              document: 'r.doc',
              path: ["it's", 'a,b', 'null', 'back\\slash', 'x"y'],
              type: 'string',
              caseExact: true,
            }
          : {
              kind: 'jsonbArray',
              document: 'r.doc',
              path: ['list'],
              subAttributes: () => ({ name: "o'k", type: 'string', caseExact: true }),
            },
    };
    expect(filterToSql(parseFilter('a pr'), odd, [])).toBe(
      `(r.doc #> E'{"it''s","a,b","null","back\\\\\\\\slash","x\\\\"y"}') NOT IN (${EMPTY})`,
    );
    expect(filterToSql(parseFilter('b[v pr]'), odd, [])).toContain(`(e.elem -> 'o''k') NOT IN`);
  });

  describe('errors', () => {
    it.each<[string, RegExp]>([
      ['nope eq "x"', /unknown attribute 'nope'/],
      ['emails.nope eq "x"', /unknown attribute 'emails.nope'/],
      ['emails[nope eq "x"]', /unknown attribute 'emails.nope'/],
      ['active eq "yes"', /'active' is a boolean/],
      ['active gt false', /'gt' cannot compare with false/],
      ['active co "t"', /'co' does not apply to 'active'/],
      ['meta.lastModified gt "not a date"', /'meta.lastModified' is a dateTime/],
      ['meta.created eq 5', /is a dateTime/],
      ['age eq "forty"', /'age' is a number/],
      ['emails[primary eq "maybe"]', /'emails.primary' is a boolean/],
      ['emails[type eq "work" and primary eq "maybe"]', /'emails.primary' is a boolean/],
      ['userName[value eq "x"]', /'userName' is not multi-valued/],
      ['members[value eq "a" or value eq "b"]', /supports a single condition/],
      ['members ne "a"', /members supports eq only/],
    ])('%s', (filter, message) => {
      const error = errorOf(() => translate(filter));
      expect(error.scimType).toBe('invalidFilter');
      expect(error.detail).toMatch(message);
    });
  });
});
