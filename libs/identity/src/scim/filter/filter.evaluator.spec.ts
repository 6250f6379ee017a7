import { ScimError } from '../errors';
import type { AttributeDefinition, AttributeType } from '../schemas/schema.types';
import type { AttributePath } from './filter.ast';
import {
  compileValueFilter,
  matchesFilter,
  matchesValueFilter,
  parseDateTime,
  type AttributeResolver,
} from './filter.evaluator';
import { parseFilter } from './filter.parser';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

function attribute(
  name: string,
  type: AttributeType,
  options: { caseExact?: boolean; multiValued?: boolean; subAttributes?: AttributeDefinition[] } = {},
): AttributeDefinition {
  return {
    name,
    type,
    multiValued: options.multiValued ?? false,
    description: name,
    required: false,
    caseExact: options.caseExact ?? false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...(options.subAttributes ? { subAttributes: options.subAttributes } : {}),
  };
}

const EMAILS = attribute('emails', 'complex', {
  multiValued: true,
  subAttributes: [attribute('value', 'string'), attribute('type', 'string'), attribute('primary', 'boolean')],
});
const CORE: AttributeDefinition[] = [
  attribute('id', 'string', { caseExact: true }),
  attribute('userName', 'string'),
  attribute('displayName', 'string'),
  attribute('title', 'string'),
  attribute('nickName', 'string'),
  attribute('active', 'boolean'),
  attribute('age', 'integer'),
  attribute('score', 'decimal'),
  attribute('photo', 'binary'),
  attribute('name', 'complex', {
    subAttributes: [attribute('givenName', 'string'), attribute('familyName', 'string')],
  }),
  attribute('meta', 'complex', {
    subAttributes: [attribute('lastModified', 'dateTime'), attribute('version', 'string', { caseExact: true })],
  }),
  EMAILS,
  attribute('nicknames', 'string', { multiValued: true }),
];
const EXTENSION: AttributeDefinition[] = [
  attribute('employeeNumber', 'string'),
  attribute('manager', 'complex', {
    subAttributes: [attribute('value', 'string'), attribute('displayName', 'string')],
  }),
];

function find(list: readonly AttributeDefinition[] | undefined, name: string): AttributeDefinition | undefined {
  return list?.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
}

const resolve: AttributeResolver = (path: AttributePath) => {
  const list = path.schema?.toLowerCase() === ENTERPRISE.toLowerCase() ? EXTENSION : CORE;
  const definition = find(list, path.attribute);
  return path.subAttribute === undefined ? definition : find(definition?.subAttributes, path.subAttribute);
};

const BJENSEN: Record<string, unknown> = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
  id: '2819c223-7f76-453a-919d-413861904646',
  userName: 'BJensen',
  displayName: 'Babs Jensen',
  title: '',
  active: true,
  age: 42,
  score: 7.5,
  photo: 'aGVsbG8=',
  name: { givenName: 'Barbara', familyName: "O'Malley" },
  meta: { lastModified: '2011-05-13T04:42:34Z', version: 'W/"3694e05e9dff591"' },
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  nicknames: ['Babs', 'B'],
  [ENTERPRISE]: { employeeNumber: '701984', manager: { value: '26118915', displayName: 'John Smith' } },
};

function matches(filter: string, resource: Record<string, unknown> = BJENSEN): boolean {
  return matchesFilter(parseFilter(filter), resource, resolve);
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

describe('matchesFilter', () => {
  it.each<[string, boolean]>([
    // strings honour caseExact (RFC 7644 §3.4.2.2)
    ['userName eq "bjensen"', true],
    ['USERNAME eq "BJENSEN"', true],
    ['userName ne "bjensen"', false],
    ['userName ne "other"', true],
    ['id eq "2819C223-7F76-453A-919D-413861904646"', false],
    ['id eq "2819c223-7f76-453a-919d-413861904646"', true],
    ['meta.version eq "w/\\"3694e05e9dff591\\""', false],
    ['userName co "jens"', true],
    ['userName sw "bj"', true],
    ['userName sw "jens"', false],
    ['userName ew "SEN"', true],
    ['userName gt "a"', true],
    ['userName gt "c"', false],
    ['userName ge "bjensen"', true],
    ['userName lt "bjensen"', false],
    ['userName le "bjensen"', true],
    ['name.familyName co "\'mal"', true],
    ['name.FAMILYNAME eq "o\'malley"', true],
    // numbers
    ['age eq 42', true],
    ['age gt 41.5', true],
    ['age ge 42', true],
    ['age lt 42', false],
    ['age le 4.2e1', true],
    ['score gt 7', true],
    ['score ne 7.5', false],
    // booleans, including quoted ones
    ['active eq true', true],
    ['active eq false', false],
    ['active ne false', true],
    ['active eq "True"', true],
    // dateTime compares instants
    ['meta.lastModified eq "2011-05-13T06:42:34+02:00"', true],
    ['meta.lastModified gt "2011-05-13T04:42:33Z"', true],
    ['meta.lastModified gt "2011-05-13T04:42:34Z"', false],
    ['meta.lastModified ge "2011-05-13T04:42:34.000Z"', true],
    ['meta.lastModified lt "2011-05-13T04:42:34.000001Z"', true],
    ['meta.lastModified le "2011-05-13T04:42:34"', true],
    // binary is case-exact
    ['photo eq "aGVsbG8="', true],
    ['photo eq "AGVSBG8="', false],
    // pr
    ['displayName pr', true],
    ['title pr', false],
    ['nickName pr', false],
    ['emails pr', true],
    ['emails.type pr', true],
    ['name pr', true],
    ['meta.missing pr', false],
    // multi-valued: any element
    ['emails.value eq "babs@jensen.org"', true],
    ['emails.type eq "other"', false],
    ['emails.type ne "work"', true],
    ['emails co "@example.com"', true],
    ['emails eq "BABS@JENSEN.ORG"', true],
    ['emails.primary eq true', true],
    ['nicknames eq "babs"', true],
    ['nicknames sw "x"', false],
    // value paths: one element matches all conditions
    ['emails[type eq "work" and value co "@example.com"]', true],
    ['emails[type eq "home" and value co "@example.com"]', false],
    ['emails[type eq "home"].value ew ".org"', true],
    ['emails[not (type eq "work")]', true],
    ['emails[type ne "work" and primary eq true]', false],
    ['emails[primary pr]', true],
    // missing attributes
    ['nickName ne "x"', true],
    ['nickName eq "x"', false],
    ['nickName eq null', true],
    ['userName eq null', false],
    ['userName ne null', true],
    ['unknownAttribute eq "x"', false],
    ['unknownAttribute ne "x"', true],
    ['not (nickName eq "x")', true],
    // extension and core URNs
    [`${ENTERPRISE}:employeeNumber eq "701984"`, true],
    [`${ENTERPRISE}:manager.value eq "26118915"`, true],
    [`${ENTERPRISE}:manager eq "26118915"`, true],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bjensen"', true],
    ['urn:example:other:1.0:Thing:userName eq "bjensen"', false],
    // logic
    ['userName eq "bjensen" and active eq true', true],
    ['userName eq "x" or active eq true', true],
    ['userName eq "x" or not (active eq true)', false],
    ['not (userName eq "x" or displayName eq "y")', true],
    ['userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")', false],
  ])('%s → %s', (filter, expected) => {
    expect(matches(filter)).toBe(expected);
  });

  it.each<[string, Record<string, unknown>, boolean]>([
    ['emails pr', { emails: [] }, false],
    ['emails pr', { emails: [{}] }, false],
    ['emails pr', { emails: [null, ''] }, false],
    ['name pr', { name: {} }, false],
    ['name pr', { name: null }, false],
    ['emails.value ne "x"', { emails: [] }, true],
    ['emails.value eq null', { emails: [{ type: 'work' }] }, true],
    ['emails[value ne "x"]', { emails: [] }, false],
    ['emails[type eq "work"]', { emails: 'not an array' }, false],
    ['emails pr', { emails: 'not an array' }, false],
    ['emails eq "x"', { emails: 'x' }, false],
    ['emails[type eq "work"]', { emails: { type: 'work' } }, false],
    ['name[givenName eq "b"]', { name: { givenName: 'B' } }, true],
    ['age gt 1', { age: '42' }, false],
    ['age ne 1', { age: '42' }, true],
    ['active eq true', { active: 'true' }, false],
    ['meta.lastModified gt "2000-01-01T00:00:00Z"', { meta: { lastModified: 'yesterday' } }, false],
    ['meta.lastModified gt "2000-01-01T00:00:00Z"', { meta: { lastModified: '2011-02-30T00:00:00Z' } }, false],
    ['userName eq "42"', { userName: 42 }, true],
    ['userName eq 42', { userName: '42' }, true],
    ['constructor pr', {}, false],
    ['toString eq "x"', {}, false],
    ['unknownList eq "b"', { unknownList: [{ value: 'B' }] }, true],
    ['userName gt "a"', { userName: '\u{1F600}' }, true],
    ['userName lt "\u{1F600}"', { userName: '\uFFFF' }, true],
  ])('%s on %j → %s', (filter, resource, expected) => {
    expect(matches(filter, resource)).toBe(expected);
  });

  it.each<[string, RegExp]>([
    ['active gt true', /'gt' cannot compare with true/],
    ['active eq "yes"', /'active' is a boolean; compare it with true or false/],
    ['active eq 1', /'active' is a boolean/],
    ['active co "t"', /'co' does not apply to 'active', which is a boolean/],
    ['age eq "42"', /'age' is a number/],
    ['meta.lastModified gt "not a date"', /'meta.lastModified' is a dateTime/],
    ['meta.lastModified gt "2011-02-29T00:00:00Z"', /is a dateTime/],
    ['meta.lastModified co "2011"', /'co' does not apply/],
    ['photo gt "a"', /which is binary/],
    ['name eq "x"', /'name' is complex; compare one of its sub-attributes/],
  ])('refuses %s', (filter, message) => {
    const error = errorOf(() => matches(filter));
    expect(error.scimType).toBe('invalidFilter');
    expect(error.detail).toMatch(message);
  });

  it('reports type errors whatever the data (not only when reached)', () => {
    expect(() => matches('userName eq "bjensen" or active gt 1')).toThrow(ScimError);
  });

  it('evaluates the widest accepted filter without trouble', () => {
    const filter = Array.from({ length: 200 }, (_, i) => `age eq ${i}`).join(' or ');
    expect(matches(filter)).toBe(true);
  });
});

describe('matchesValueFilter (PATCH value filters)', () => {
  it.each<[string, unknown, boolean]>([
    ['type eq "work"', { value: 'a@x', type: 'work' }, true],
    ['TYPE eq "WORK"', { value: 'a@x', type: 'work' }, true],
    ['type eq "work" and value co "@x"', { value: 'a@x', type: 'work' }, true],
    ['type eq "work" and value co "@y"', { value: 'a@x', type: 'work' }, false],
    ['primary eq true', { value: 'a@x', primary: true }, true],
    ['primary ne true', { value: 'a@x' }, true],
  ])('emails element: %s on %j → %s', (filter, element, expected) => {
    expect(matchesValueFilter(parseFilter(filter), element, EMAILS)).toBe(expected);
  });

  it('addresses the elements of a simple multi-valued attribute as value', () => {
    const nicknames = find(CORE, 'nicknames');
    expect(matchesValueFilter(parseFilter('value eq "BABS"'), 'Babs', nicknames)).toBe(true);
  });

  it('types values against the sub-attribute definitions', () => {
    expect(() => compileValueFilter(parseFilter('primary eq "yes"'), EMAILS)).toThrow(/'primary' is a boolean/);
  });

  it('treats unknown sub-attributes as case-insensitive strings', () => {
    expect(matchesValueFilter(parseFilter('display eq "x"'), { display: 'X' }, undefined)).toBe(true);
  });

  it('compiles once for many elements', () => {
    const isWork = compileValueFilter(parseFilter('type eq "work"'), EMAILS);
    const emails = BJENSEN['emails'] as unknown[];
    expect(emails.filter(isWork)).toEqual([emails[0]]);
  });
});

describe('parseDateTime', () => {
  it.each<[string, bigint | undefined]>([
    ['1970-01-01T00:00:00Z', 0n],
    ['1970-01-01T00:00:00.0000015Z', 2n],
    ['1970-01-01T01:00:00+01:00', 0n],
    ['1969-12-31T23:59:59.5-00:00', -500_000n],
    ['0001-01-01T00:00:00Z', -62_135_596_800_000_000n],
    ['2000-02-29T00:00:00Z', 951_782_400_000_000n],
    ['1900-02-29T00:00:00Z', undefined],
    ['2011-04-31T00:00:00Z', undefined],
    ['2011-05-13T24:00:00Z', undefined],
    ['2011-05-13T04:42:60Z', undefined],
    ['2011-05-13T04:42:34', undefined],
    ['2011-05-13T04:42:34+16:00', undefined],
    ['2011-05-13', undefined],
  ])('%s → %s', (text, expected) => {
    expect(parseDateTime(text)).toBe(expected);
  });
});
