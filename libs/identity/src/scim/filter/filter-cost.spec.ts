import { ScimError } from '../errors';
import type { AttributePath } from './filter.ast';
import { MAX_FILTER_TERMS, parseFilter } from './filter.parser';
import { MAX_UNINDEXED_TERMS, assertFilterAffordable, filterCost } from './filter-cost';
import type { SqlAttribute, SqlAttributeMapping } from './filter-to-sql';

/** A users mapping like the repository's: indexed columns, a plain column, JSONB scalars, an array with a GIN copy. */
const ATTRIBUTES: Record<string, SqlAttribute> = {
  id: { kind: 'custom', indexed: true, unique: true, compile: () => 'true' },
  username: { kind: 'column', sql: 'u.user_name', type: 'string', caseExact: false, indexed: true, unique: true },
  externalid: { kind: 'column', sql: 'u.external_id', type: 'string', caseExact: true, indexed: true },
  active: { kind: 'column', sql: 'u.active', type: 'boolean', caseExact: false },
  title: { kind: 'jsonb', document: 'u.resource', path: ['title'], type: 'string', caseExact: false },
  'name.familyname': {
    kind: 'jsonb',
    document: 'u.resource',
    path: ['name', 'familyName'],
    type: 'string',
    caseExact: false,
  },
  emails: {
    kind: 'jsonbArray',
    document: 'u.resource',
    path: ['emails'],
    arrayColumn: { sql: 'u.email_values', subAttribute: 'value', lowercased: true },
  },
  addresses: { kind: 'jsonbArray', document: 'u.resource', path: ['addresses'] },
  members: { kind: 'custom', compile: () => 'true' },
};

const MAPPING: SqlAttributeMapping = {
  resolve: (path: AttributePath) =>
    ATTRIBUTES[[path.attribute, path.subAttribute].filter(Boolean).join('.').toLowerCase()] ??
    ATTRIBUTES[path.attribute.toLowerCase()],
};

const costOf = (filter: string) => filterCost(parseFilter(filter), MAPPING);
const chain = (term: (i: number) => string, count: number, op = 'or'): string =>
  Array.from({ length: count }, (_, i) => term(i)).join(` ${op} `);

describe('filterCost', () => {
  it.each([
    ['userName eq "a@x"', true, 0, true],
    ['externalId eq "00u1"', true, 0, false],
    ['id eq "2819c223-7f76-453a-919d-413861904646"', true, 0, true],
    ['emails eq "a@x"', true, 0, false],
    ['emails.value eq "a@x"', true, 0, false],
    ['emails[type eq "work" and value eq "a@x"]', true, 0, false],
    ['userName eq "a" or externalId eq "b"', true, 0, false],
    ['userName eq "a" or userName eq "b"', true, 0, false],
    ['userName eq "a" and (title co "x" or name.familyName co "y")', true, 2, true],
    ['active eq true and id eq "2819c223-7f76-453a-919d-413861904646"', true, 1, true],
    ['userName co "a"', false, 1, false],
    ['userName eq null', false, 1, false],
    ['userName pr', false, 1, false],
    ['active eq true', false, 1, false],
    ['title eq "x"', false, 1, false],
    ['emails.type eq "work"', false, 1, false],
    ['emails[type eq "work" and value co "x"]', false, 2, false],
    ['addresses[type eq "work" and value eq "x"]', false, 2, false],
    ['members eq "2819c223-7f76-453a-919d-413861904646"', false, 1, false],
    ['members[value eq "2819c223-7f76-453a-919d-413861904646"]', false, 1, false],
    ['not (userName eq "a")', false, 0, false],
    ['userName eq "a" or title co "x"', false, 1, false],
  ])('%s: narrowed %p, %p unindexed, at most one row %p', (filter, narrowed, unindexedTerms, atMostOne) => {
    expect(costOf(filter)).toEqual({ narrowed, unindexedTerms, atMostOne });
  });
});

describe('assertFilterAffordable', () => {
  const refusal = (filter: string): ScimError | undefined => {
    try {
      assertFilterAffordable(parseFilter(filter), MAPPING);
      return undefined;
    } catch (error) {
      return error as ScimError;
    }
  };

  it(`accepts ${MAX_UNINDEXED_TERMS} substring conditions on unindexed attributes`, () => {
    expect(refusal(chain((i) => `name.familyName co "${i}"`, MAX_UNINDEXED_TERMS))).toBeUndefined();
  });

  it('refuses one more with 400 invalidFilter naming the limit', () => {
    const error = refusal(chain((i) => `name.familyName co "${i}"`, MAX_UNINDEXED_TERMS + 1));
    expect(error).toBeInstanceOf(ScimError);
    expect(error).toMatchObject({ status: 400, scimType: 'invalidFilter' });
    expect(error?.detail).toContain(`${MAX_UNINDEXED_TERMS + 1} conditions that no index serves`);
    expect(error?.detail).toContain(`at most ${MAX_UNINDEXED_TERMS}`);
  });

  it(`refuses ${MAX_FILTER_TERMS} co terms, the filter that once took seconds on a large tenant`, () => {
    expect(refusal(chain((i) => `title co "${i}"`, MAX_FILTER_TERMS))).toMatchObject({ scimType: 'invalidFilter' });
  });

  it('counts conditions under not, inside value paths and in and-chains alike', () => {
    expect(refusal(`not (${chain((i) => `title co "${i}"`, MAX_UNINDEXED_TERMS + 1)})`)).toBeDefined();
    expect(refusal(chain((i) => `emails[type eq "w" and value co "${i}"]`, 6))).toBeDefined();
    expect(refusal(chain((i) => `title ne "${i}"`, MAX_UNINDEXED_TERMS + 1, 'and'))).toBeDefined();
  });

  it(`accepts ${MAX_FILTER_TERMS} indexed equalities, and any filter an indexed equality narrows`, () => {
    expect(refusal(chain((i) => `id eq "${i}"`, MAX_FILTER_TERMS))).toBeUndefined();
    expect(refusal(chain((i) => `emails[type eq "work" and value eq "u${i}"]`, 60))).toBeUndefined();
    expect(refusal(`externalId eq "x" and (${chain((i) => `title co "${i}"`, 100)})`)).toBeUndefined();
  });

  it('does not let one indexed branch of an or excuse the others', () => {
    expect(refusal(`userName eq "x" or (${chain((i) => `title co "${i}"`, MAX_UNINDEXED_TERMS + 1)})`)).toBeDefined();
  });
});
