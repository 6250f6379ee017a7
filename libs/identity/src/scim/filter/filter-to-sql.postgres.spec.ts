/**
 * Runs generated WHERE clauses on PostgreSQL and checks that they select
 * exactly the rows the in-memory evaluator matches, including rows with
 * malformed data that must neither match nor make the query fail.
 * Needs the test PostgreSQL (TEST_POSTGRES_URL), like the end-to-end tests.
 */
import { Client } from 'pg';
import type { AttributeDefinition, AttributeType } from '../schemas/schema.types';
import type { AttributePath } from './filter.ast';
import { matchesFilter, type AttributeResolver } from './filter.evaluator';
import { parseFilter } from './filter.parser';
import { filterToSql, type SqlAttribute, type SqlAttributeMapping, type SqlScalarType } from './filter-to-sql';

const DATABASE_URL = process.env['TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

type Scalar = { type: SqlScalarType; caseExact?: boolean };
const DOC = 'u.resource';

/** One table drives both the SQL mapping and the evaluator's schema. */
const SCALARS: Record<string, Scalar & { sql?: string; json?: string[] }> = {
  id: { type: 'string', caseExact: true, sql: 'u.id' },
  username: { type: 'string', sql: 'u.user_name' },
  externalid: { type: 'string', caseExact: true, sql: 'u.external_id' },
  active: { type: 'boolean', sql: 'u.active' },
  'meta.lastmodified': { type: 'dateTime', sql: 'u.updated_at' },
  'meta.created': { type: 'dateTime', json: ['meta', 'created'] },
  displayname: { type: 'string', json: ['displayName'] },
  nickname: { type: 'string', json: ['nickName'] },
  'name.givenname': { type: 'string', json: ['name', 'givenName'] },
  age: { type: 'integer', json: ['age'] },
  score: { type: 'decimal', json: ['score'] },
  verified: { type: 'boolean', json: ['verified'] },
  [`${ENTERPRISE}:employeenumber`.toLowerCase()]: { type: 'string', json: [ENTERPRISE, 'employeeNumber'] },
};
const EMAIL_SUBS: Record<string, Scalar & { name: string }> = {
  value: { name: 'value', type: 'string' },
  type: { name: 'type', type: 'string' },
  primary: { name: 'primary', type: 'boolean' },
};

function key(path: AttributePath): string {
  const prefix = path.schema?.toLowerCase() === ENTERPRISE.toLowerCase() ? `${ENTERPRISE}:` : '';
  return `${prefix}${path.attribute}${path.subAttribute === undefined ? '' : `.${path.subAttribute}`}`.toLowerCase();
}

const mapping: SqlAttributeMapping = {
  resolve(path): SqlAttribute | undefined {
    const attribute = path.attribute.toLowerCase();
    if (attribute === 'emails') {
      return {
        kind: 'jsonbArray',
        document: DOC,
        path: ['emails'],
        subAttributes: (sub) => {
          const found = EMAIL_SUBS[sub.toLowerCase()];
          return found && { ...found, caseExact: false };
        },
        arrayColumn: { sql: 'u.email_values', subAttribute: 'value', lowercased: true },
      };
    }
    if (attribute === 'ims') {
      return { kind: 'jsonbArray', document: DOC, path: ['ims'] };
    }
    const scalar = SCALARS[key(path)];
    if (scalar === undefined) {
      return undefined;
    }
    const traits = { type: scalar.type, caseExact: scalar.caseExact ?? false };
    return scalar.sql !== undefined
      ? { kind: 'column', sql: scalar.sql, ...traits }
      : { kind: 'jsonb', document: DOC, path: scalar.json ?? [], ...traits };
  },
};

function definition(
  name: string,
  type: AttributeType,
  caseExact = false,
  subAttributes?: AttributeDefinition[],
): AttributeDefinition {
  return {
    name,
    type,
    caseExact,
    multiValued: false,
    description: name,
    required: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...(subAttributes ? { subAttributes } : {}),
  };
}

const EMAILS = {
  ...definition(
    'emails',
    'complex',
    false,
    Object.values(EMAIL_SUBS).map((sub) => definition(sub.name, sub.type)),
  ),
  multiValued: true,
};

const resolve: AttributeResolver = (path) => {
  if (path.attribute.toLowerCase() === 'emails') {
    const sub = path.subAttribute?.toLowerCase();
    return sub === undefined ? EMAILS : EMAILS.subAttributes?.find((candidate) => candidate.name.toLowerCase() === sub);
  }
  const scalar = SCALARS[key(path)];
  return scalar && definition(path.subAttribute ?? path.attribute, scalar.type, scalar.caseExact ?? false);
};

const ROWS: Array<Record<string, unknown>> = [
  {
    id: 'r01',
    userName: 'bjensen',
    externalId: 'EXT-1',
    active: true,
    meta: { lastModified: '2011-05-13T04:42:34Z', created: '2010-01-23T04:56:22Z' },
    displayName: 'Babs Jensen',
    name: { givenName: 'Barbara' },
    age: 42,
    score: 7.5,
    verified: true,
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ],
    [ENTERPRISE]: { employeeNumber: '701984' },
  },
  {
    id: 'r02',
    userName: 'MJensen',
    externalId: 'ext-2',
    active: false,
    meta: { lastModified: '2020-01-01T00:00:00+01:00', created: '2011-05-13T04:42:34+05:30' },
    displayName: 'Ünïcödé',
    name: { givenName: '😀' },
    age: 41.5,
    verified: false,
    emails: [{ value: 'MJ@Example.COM', type: 'Work' }],
    ims: [{ value: 'X@Y' }],
  },
  { id: 'r03', userName: 'nobody' },
  {
    id: 'r04',
    userName: 'a%b_c\\d',
    emails: 'not an array',
    age: '42',
    score: '7.5',
    verified: 'true',
    name: 'scalar',
    meta: { created: 'yesterday' },
  },
  { id: 'r05', emails: [], age: 1000, nickName: null, meta: { created: '2011-02-30T00:00:00Z' }, ims: 'x' },
  {
    id: 'r06',
    userName: 'six',
    emails: [{ value: null, type: 'work' }, 'string element', 5, { type: 'home', primary: 'true' }],
    meta: { created: '2011-05-13t04:42:34z' },
    displayName: '',
    ims: [{ value: 'a@b' }, {}],
  },
  {
    id: 'r07',
    userName: 'seven',
    active: true,
    emails: [{ value: '', type: '' }],
    meta: { created: '2011-05-13T04:42:34' },
    name: { givenName: null },
    score: 7.25,
  },
];

function columnsOf(row: Record<string, unknown>): unknown[] {
  const meta = (row['meta'] ?? {}) as Record<string, unknown>;
  return [
    row['id'],
    row['userName'] ?? null,
    row['externalId'] ?? null,
    row['active'] ?? null,
    meta['lastModified'] ?? null,
    JSON.stringify(row),
  ];
}

const FILTERS = [
  'userName eq "BJENSEN"',
  'userName ne "bjensen"',
  'userName co "%"',
  'userName sw "a%b"',
  'userName ew "\\\\d"',
  'userName gt "m"',
  'userName le "bjensen"',
  'userName pr',
  'userName eq null',
  'not (userName eq "bjensen")',
  'externalId eq "ext-2"',
  'externalId ne "EXT-1"',
  'id eq "r01" or id eq "r03"',
  'active eq true',
  'active ne true',
  'not (active eq true)',
  'active pr',
  'meta.lastModified gt "2011-05-13T04:42:34Z"',
  'meta.lastModified le "2019-12-31T23:00:00Z"',
  'meta.created gt "2011-01-01T00:00:00Z"',
  'meta.created eq "2011-05-12T23:12:34Z"',
  'meta.created ne "2011-05-12T23:12:34Z"',
  'meta.created lt "2011-05-13T04:42:34"',
  'meta.created pr',
  'displayName co "JENS"',
  'displayName pr',
  'name.givenName pr',
  'name.givenName gt "z"',
  'name.givenName eq null',
  'age gt 41',
  'age ge 41.5',
  'age eq 42',
  'age ne 42',
  'age lt 1e3',
  'score gt 7',
  'score le 7.25',
  'verified eq true',
  'verified ne true',
  `${ENTERPRISE}:employeeNumber eq "701984"`,
  'emails eq "bjensen@example.com"',
  'emails.value eq "MJ@EXAMPLE.com"',
  'emails co "@example"',
  'emails.type eq "work"',
  'emails.type ne "work"',
  'emails.type eq null',
  'emails pr',
  'emails.value pr',
  'emails.primary ne true',
  'emails[type eq "work" and value co "@"]',
  'emails[type eq "work"].value eq "bjensen@example.com"',
  'emails[value ne "x"]',
  'emails[not (type eq "work")]',
  'emails[primary eq true]',
  'emails[type pr]',
  'ims eq "x@y"',
  'ims co "@"',
  'ims[value pr]',
  'ims.value ne "a@b"',
  '(userName pr and not (emails pr)) or age gt 40',
  'not (emails[type eq "work"] or meta.created pr)',
  Array.from({ length: 200 }, (_, i) => `age eq ${i}`).join(' or '),
];

describe('filterToSql on PostgreSQL', () => {
  const client = new Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 5000 });

  beforeAll(async () => {
    await client.connect();
    await client.query('BEGIN');
    await client.query(`CREATE TEMP TABLE scim_filter_users (
      id text PRIMARY KEY, user_name text, external_id text, active boolean,
      updated_at timestamptz, resource jsonb NOT NULL, email_values text[]
    ) ON COMMIT DROP`);
    for (const row of ROWS) {
      await client.query('INSERT INTO scim_filter_users VALUES ($1, $2, $3, $4, $5, $6, NULL)', columnsOf(row));
    }
    // What the repository keeps: lower() of every email value.
    await client.query(`UPDATE scim_filter_users SET email_values = ARRAY(
      SELECT lower(e ->> 'value') FROM jsonb_array_elements(
        CASE WHEN jsonb_typeof(resource -> 'emails') = 'array' THEN resource -> 'emails' ELSE '[]'::jsonb END) AS e
      WHERE e ->> 'value' IS NOT NULL)`);
  });

  afterAll(async () => {
    await client.query('ROLLBACK');
    await client.end();
  });

  it.each(FILTERS.map((filter) => [filter.length > 80 ? `${filter.slice(0, 77)}...` : filter, filter]))(
    '%s selects what the evaluator matches',
    async (_title, filter) => {
      const node = parseFilter(filter);
      const params: unknown[] = [];
      const where = filterToSql(node, mapping, params);
      const result = await client.query<{ id: string }>(
        `SELECT u.id FROM scim_filter_users AS u WHERE ${where} ORDER BY u.id`,
        params,
      );
      const expected = ROWS.filter((row) => matchesFilter(node, row, resolve)).map((row) => row['id']);
      expect(result.rows.map((row) => row.id)).toEqual(expected);
    },
  );
});
