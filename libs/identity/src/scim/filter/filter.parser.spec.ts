import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScimError } from '../errors';
import type { AttributePath, CompareOperator, CompareValue, FilterNode } from './filter.ast';
import { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, MAX_FILTER_TERMS, parseFilter, parsePatchPath } from './filter.parser';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const CORPUS = join(__dirname, '../../../../../test/corpora/scim-filter');

function path(text: string): AttributePath {
  const [attribute, subAttribute] = text.split('.') as [string, string | undefined];
  return subAttribute === undefined ? { attribute } : { attribute, subAttribute };
}
function cmp(attribute: string, op: CompareOperator, value: CompareValue): FilterNode {
  return { kind: 'compare', path: path(attribute), op, value };
}
function pr(attribute: string): FilterNode {
  return { kind: 'present', path: path(attribute) };
}
function and(left: FilterNode, right: FilterNode): FilterNode {
  return { kind: 'logical', op: 'and', left, right };
}
function or(left: FilterNode, right: FilterNode): FilterNode {
  return { kind: 'logical', op: 'or', left, right };
}
function not(filter: FilterNode): FilterNode {
  return { kind: 'not', filter };
}
function valuePath(attribute: string, filter: FilterNode): FilterNode {
  return { kind: 'valuePath', path: path(attribute), filter };
}

/** The ScimError a call throws (fails the test when it does not throw one). */
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

/** Depth of the tree, iteratively (the point is that it stays small). */
function depthOf(root: FilterNode): number {
  let deepest = 0;
  const pending: Array<[FilterNode, number]> = [[root, 1]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop() as [FilterNode, number];
    deepest = Math.max(deepest, depth);
    if (node.kind === 'logical') {
      pending.push([node.left, depth + 1], [node.right, depth + 1]);
    } else if (node.kind === 'not' || node.kind === 'valuePath') {
      pending.push([node.filter, depth + 1]);
    }
  }
  return deepest;
}

function readCorpus(folder: 'ok' | 'not-ok'): Array<[string, string]> {
  const directory = join(CORPUS, folder);
  return readdirSync(directory)
    .filter((name) => name.endsWith('.txt'))
    .sort()
    .map((name) => [name, readFileSync(join(directory, name), 'utf8').replace(/\r?\n$/, '')]);
}

describe('parseFilter', () => {
  describe('operators (RFC 7644 §3.4.2.2 table 3)', () => {
    it.each<[string, FilterNode]>([
      ['userName eq "bjensen"', cmp('userName', 'eq', 'bjensen')],
      ['userName ne "bjensen"', cmp('userName', 'ne', 'bjensen')],
      ['name.familyName co "O\'Malley"', cmp('name.familyName', 'co', "O'Malley")],
      ['userName sw "J"', cmp('userName', 'sw', 'J')],
      ['userName ew "son"', cmp('userName', 'ew', 'son')],
      ['title pr', pr('title')],
      ['meta.lastModified gt "2011-05-13T04:42:34Z"', cmp('meta.lastModified', 'gt', '2011-05-13T04:42:34Z')],
      ['meta.lastModified ge "2011-05-13T04:42:34Z"', cmp('meta.lastModified', 'ge', '2011-05-13T04:42:34Z')],
      ['meta.lastModified lt "2011-05-13T04:42:34Z"', cmp('meta.lastModified', 'lt', '2011-05-13T04:42:34Z')],
      ['meta.lastModified le "2011-05-13T04:42:34Z"', cmp('meta.lastModified', 'le', '2011-05-13T04:42:34Z')],
    ])('%s', (text, expected) => {
      expect(parseFilter(text)).toEqual(expected);
    });
  });

  describe('case-insensitivity of operators, keywords and literals', () => {
    it.each<[string, FilterNode]>([
      ['userName EQ "x"', cmp('userName', 'eq', 'x')],
      ['userName Eq "x" AND title PR', and(cmp('userName', 'eq', 'x'), pr('title'))],
      ['a eq 1 OR b eq 2', or(cmp('a', 'eq', 1), cmp('b', 'eq', 2))],
      ['NOT (a pr)', not(pr('a'))],
      ['active eq TRUE', cmp('active', 'eq', true)],
      ['active eq False', cmp('active', 'eq', false)],
      ['manager eq NULL', cmp('manager', 'eq', null)],
    ])('%s', (text, expected) => {
      expect(parseFilter(text)).toEqual(expected);
    });

    it('keeps attribute names as written (lookups are case-insensitive elsewhere)', () => {
      expect(parseFilter('USERNAME eq "x"')).toEqual(cmp('USERNAME', 'eq', 'x'));
    });
  });

  describe('precedence and grouping: not > and > or', () => {
    it.each<[string, FilterNode]>([
      ['a pr or b pr and c pr', or(pr('a'), and(pr('b'), pr('c')))],
      ['a pr and b pr or c pr', or(and(pr('a'), pr('b')), pr('c'))],
      ['(a pr or b pr) and c pr', and(or(pr('a'), pr('b')), pr('c'))],
      ['a pr and not (b pr) or c pr', or(and(pr('a'), not(pr('b'))), pr('c'))],
      ['not (a pr or b pr)', not(or(pr('a'), pr('b')))],
      ['not(a pr)', not(pr('a'))],
      ['((a pr))', pr('a')],
      ['a pr and b pr and c pr', and(and(pr('a'), pr('b')), pr('c'))],
      ['a pr or b pr or c pr or d pr', or(or(pr('a'), pr('b')), or(pr('c'), pr('d')))],
      [
        'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
        and(
          cmp('userType', 'eq', 'Employee'),
          or(cmp('emails', 'co', 'example.com'), cmp('emails.value', 'co', 'example.org')),
        ),
      ],
    ])('%s', (text, expected) => {
      expect(parseFilter(text)).toEqual(expected);
    });
  });

  describe('value paths', () => {
    it.each<[string, FilterNode]>([
      ['emails[type eq "work"]', valuePath('emails', cmp('type', 'eq', 'work'))],
      [
        'emails[type eq "work" and value co "@example.com"]',
        valuePath('emails', and(cmp('type', 'eq', 'work'), cmp('value', 'co', '@example.com'))),
      ],
      [
        'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
        and(
          cmp('userType', 'eq', 'Employee'),
          valuePath('emails', and(cmp('type', 'eq', 'work'), cmp('value', 'co', '@example.com'))),
        ),
      ],
      [
        'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
        or(
          valuePath('emails', and(cmp('type', 'eq', 'work'), cmp('value', 'co', '@example.com'))),
          valuePath('ims', and(cmp('type', 'eq', 'xmpp'), cmp('value', 'co', '@foo.com'))),
        ),
      ],
      ['emails[not (type eq "work")]', valuePath('emails', not(cmp('type', 'eq', 'work')))],
      ['members[$ref pr]', valuePath('members', pr('$ref'))],
      // Entra ID's form, outside the RFC grammar: read as one element matching both.
      [
        'emails[type eq "work"].value eq "x"',
        valuePath('emails', and(cmp('type', 'eq', 'work'), cmp('value', 'eq', 'x'))),
      ],
      ['emails[type eq "work"].value pr', valuePath('emails', and(cmp('type', 'eq', 'work'), pr('value')))],
    ])('%s', (text, expected) => {
      expect(parseFilter(text)).toEqual(expected);
    });

    it('keeps the schema of a fully qualified multi-valued attribute', () => {
      expect(parseFilter(`${CORE_USER}:emails[type eq "work"]`)).toEqual({
        kind: 'valuePath',
        path: { schema: CORE_USER, attribute: 'emails' },
        filter: cmp('type', 'eq', 'work'),
      });
    });
  });

  describe('attribute paths', () => {
    it.each<[string, AttributePath]>([
      ['userName', { attribute: 'userName' }],
      ['name.givenName', { attribute: 'name', subAttribute: 'givenName' }],
      ['members.$ref', { attribute: 'members', subAttribute: '$ref' }],
      ['x-custom_attr', { attribute: 'x-custom_attr' }],
      [`${ENTERPRISE}:employeeNumber`, { schema: ENTERPRISE, attribute: 'employeeNumber' }],
      [`${ENTERPRISE}:manager.value`, { schema: ENTERPRISE, attribute: 'manager', subAttribute: 'value' }],
      [`${CORE_USER}:userName`, { schema: CORE_USER, attribute: 'userName' }],
      [`${CORE_USER}:name.familyName`, { schema: CORE_USER, attribute: 'name', subAttribute: 'familyName' }],
      [
        'URN:IETF:params:scim:schemas:core:2.0:User:userName',
        { schema: 'URN:IETF:params:scim:schemas:core:2.0:User', attribute: 'userName' },
      ],
    ])('%s', (text, expected) => {
      expect(parseFilter(`${text} pr`)).toEqual({ kind: 'present', path: expected });
    });
  });

  describe('values', () => {
    it.each<[string, CompareValue]>([
      ['"plain"', 'plain'],
      ['""', ''],
      ['"say \\"hi\\""', 'say "hi"'],
      ['"back\\\\slash"', 'back\\slash'],
      ['"caf\\u00e9"', 'café'],
      ['"\\ud83d\\ude00"', '😀'],
      ['"a\\/b\\n\\t\\r\\b\\f"', 'a/b\n\t\r\b\f'],
      ['"a eq \\"b\\" and c pr"', 'a eq "b" and c pr'],
      ['"unicode ✓ as is"', 'unicode ✓ as is'],
      ['"\\\\"', '\\'],
      ['"\\"\\"\\""', '"""'],
      ['"ends in an escape\\n"', 'ends in an escape\n'],
      ['"\\tstarts, mid\\u0041dle, ends\\\\"', '\tstarts, midAdle, ends\\'],
      ['0', 0],
      ['42', 42],
      ['-7', -7],
      ['3.25', 3.25],
      ['-0.5', -0.5],
      ['1e3', 1000],
      ['2.5E-2', 0.025],
      ['1e+2', 100],
      ['true', true],
      ['false', false],
      ['null', null],
    ])('%s', (literal, expected) => {
      expect(parseFilter(`x eq ${literal}`)).toEqual(cmp('x', 'eq', expected));
    });

    it('accepts any whitespace between tokens', () => {
      expect(parseFilter('\t userName  eq\n"x"  ')).toEqual(cmp('userName', 'eq', 'x'));
    });
  });

  describe('filters sent by identity providers', () => {
    it.each<[string, FilterNode]>([
      ['userName eq "test.user@okta.local"', cmp('userName', 'eq', 'test.user@okta.local')],
      [
        'externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"',
        cmp('externalId', 'eq', '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef'),
      ],
      ['displayName eq "Test SCIMv2"', cmp('displayName', 'eq', 'Test SCIMv2')],
      [
        'id eq "9d6a3c1e-0000-4000-8000-000000000001" and members eq "2819c223-7f76-453a-919d-413861904646"',
        and(
          cmp('id', 'eq', '9d6a3c1e-0000-4000-8000-000000000001'),
          cmp('members', 'eq', '2819c223-7f76-453a-919d-413861904646'),
        ),
      ],
      ['meta.lastModified gt "2011-05-13T04:42:34Z"', cmp('meta.lastModified', 'gt', '2011-05-13T04:42:34Z')],
      [
        'emails[type eq "work"].value eq "user@contoso.com"',
        valuePath('emails', and(cmp('type', 'eq', 'work'), cmp('value', 'eq', 'user@contoso.com'))),
      ],
      ['userName eq "Runolfsdottir.Eldred@example.com"', cmp('userName', 'eq', 'Runolfsdottir.Eldred@example.com')],
    ])('%s', (text, expected) => {
      expect(parseFilter(text)).toEqual(expected);
    });
  });

  describe('errors', () => {
    it.each<[string, RegExp]>([
      ['userName eq "bjensen', /unterminated string .*at position 13$/],
      ['userName eq', /expected a value after 'eq'.*found the end of the text at position 12/],
      ['userName like "x"', /expected an operator .* after 'userName', found 'like' at position 10/],
      ['userName eq "x" and', /expected an attribute name, '\(' or 'not \(', found the end of the text at position 20/],
      ['(userName eq "x"', /expected '\)' to close the '\(' at position 1, found the end of the text/],
      ['userName eq "x")', /unbalanced '\)' \(nothing to close\) at position 16/],
      ['emails[]', /empty value filter "\[\]" at position 7/],
      ['emails[value[x eq 1]]', /value paths cannot be nested/],
      ['title pr "x"', /expected 'and', 'or' or the end of the filter, found string "x" at position 10/],
      ['userName eq bjensen', /expected a value after 'eq'.*found 'bjensen'/],
      ['not userName eq "x"', /expected '\(' after 'not', found 'userName'/],
      ['userName co 5', /'co' needs a string value at position 13/],
      ['age gt true', /'gt' cannot compare with true/],
      ['x eq "\\q"', /invalid escape "\\\\q" in string at position 7/],
      ['x eq "ab\ncd"', /control character in string .* at position 9/],
      ['x eq "ab\\ncd\u0001"', /control character in string .* at position 13/],
      ['x eq "ab\\', /invalid escape "\\\\" in string at position 9/],
      ['x eq "a\\"', /unterminated string .* at position 6/],
      ['x eq "\\u12"', /invalid \\u escape/],
      ['x eq 01', /invalid number/],
      ['x eq 1abc', /invalid number/],
      ['x eq 1e999', /out of range/],
      ['userName eq "x" # y', /unexpected character "#" at position 17/],
      ['urn:ietf:params:scim:schemas:core:2.0:User: pr', /missing attribute name after schema URN/],
      ['urn::userName pr', /invalid schema URN 'urn:'/],
      ['a.b.c pr', /invalid attribute path 'a.b.c'/],
      ['name.given-Name.x pr', /invalid attribute path/],
      ['1name pr', /invalid number .*at position 1$/],
      ['emails[work.type eq "x"]', /inside "\[...\]" write a sub-attribute name/],
      ['name.givenName[value eq "x"]', /names a sub-attribute/],
      ['and eq "x"', /expected an attribute name/],
      ['   ', /filter is empty/],
    ])('%s', (text, message) => {
      const error = errorOf(() => parseFilter(text));
      expect(error.status).toBe(400);
      expect(error.scimType).toBe('invalidFilter');
      expect(error.detail).toMatch(message);
    });
  });

  describe('limits', () => {
    it(`refuses more than ${MAX_FILTER_LENGTH} characters`, () => {
      const text = `userName eq "${'x'.repeat(MAX_FILTER_LENGTH)}"`;
      expect(errorOf(() => parseFilter(text)).detail).toMatch(/filter is too long/);
    });

    it(`accepts ${MAX_FILTER_DEPTH} levels of nesting and refuses one more`, () => {
      const nest = (levels: number): string => `${'('.repeat(levels)}a pr${')'.repeat(levels)}`;
      expect(parseFilter(nest(MAX_FILTER_DEPTH))).toEqual(pr('a'));
      expect(errorOf(() => parseFilter(nest(MAX_FILTER_DEPTH + 1))).detail).toMatch(/nested too deeply/);
    });

    it('refuses deep nesting long before a stack overflow', () => {
      const text = `${'('.repeat(2000)}a pr${')'.repeat(2000)}`;
      expect(errorOf(() => parseFilter(text)).detail).toMatch(/nested too deeply .* at position 33$/);
    });

    it(`accepts ${MAX_FILTER_TERMS} terms in a flat chain as a balanced tree`, () => {
      const text = Array.from({ length: MAX_FILTER_TERMS }, (_, i) => `a eq ${i}`).join(' or ');
      const tree = parseFilter(text);
      expect(depthOf(tree)).toBe(Math.ceil(Math.log2(MAX_FILTER_TERMS)) + 1);
    });

    it('refuses too many terms', () => {
      const text = Array.from({ length: 500 }, () => 'a pr').join(' or ');
      expect(errorOf(() => parseFilter(text)).detail).toMatch(/too many terms/);
    });

    it('counts the terms inside value paths', () => {
      const inner = Array.from({ length: MAX_FILTER_TERMS }, () => 'value pr').join(' or ');
      expect(errorOf(() => parseFilter(`emails[${inner}] or x pr`)).detail).toMatch(/too many terms/);
    });
  });
});

describe('parsePatchPath (RFC 7644 §3.5.2)', () => {
  it.each<[string, object]>([
    ['displayName', { path: { attribute: 'displayName' } }],
    ['name.familyName', { path: { attribute: 'name', subAttribute: 'familyName' } }],
    ['members', { path: { attribute: 'members' } }],
    [
      'emails[type eq "work"].value',
      { path: { attribute: 'emails' }, filter: cmp('type', 'eq', 'work'), subAttribute: 'value' },
    ],
    ['members[value eq "2819c223"]', { path: { attribute: 'members' }, filter: cmp('value', 'eq', '2819c223') }],
    [
      'addresses[type eq "work" and primary eq true].locality',
      {
        path: { attribute: 'addresses' },
        filter: and(cmp('type', 'eq', 'work'), cmp('primary', 'eq', true)),
        subAttribute: 'locality',
      },
    ],
    [`${ENTERPRISE}:manager`, { path: { schema: ENTERPRISE, attribute: 'manager' } }],
    [`${ENTERPRISE}:manager.value`, { path: { schema: ENTERPRISE, attribute: 'manager', subAttribute: 'value' } }],
    [
      'members[$ref eq "https://x/Users/1"].display',
      { path: { attribute: 'members' }, filter: cmp('$ref', 'eq', 'https://x/Users/1'), subAttribute: 'display' },
    ],
  ])('%s', (text, expected) => {
    expect(parsePatchPath(text)).toEqual(expected);
  });

  it.each<[string, RegExp]>([
    ['', /path is empty/],
    ['name.givenName.x', /invalid attribute path/],
    ['emails[type eq "work"]value', /expected the end of the path, found 'value'/],
    ['emails[type eq "work"] .value', /expected the end of the path, found '.value'/],
    ['emails[type eq "work"].', /invalid sub-attribute name ''/],
    ['emails eq "x"', /expected the end of the path, found 'eq'/],
    ['"userName"', /expected an attribute name, found string/],
    ['name.givenName[type eq "x"]', /names a sub-attribute/],
    ['urn:x pr', /invalid schema URN 'urn'/],
    // The brackets are the path's own grammar: an unclosed one is a malformed path.
    ['emails[type eq "work"', /expected '\]' to close the '\[' at position 7/],
  ])('refuses %s as invalidPath', (text, message) => {
    const error = errorOf(() => parsePatchPath(text));
    expect(error.scimType).toBe('invalidPath');
    expect(error.detail).toMatch(message);
  });

  it.each<[string, RegExp]>([
    ['emails[type eq]', /expected a value after 'eq'/],
    ['emails[type eq "work]', /unterminated string/],
  ])('refuses a malformed filter in %s as invalidFilter (RFC 7644 §3.12 table 9)', (text, message) => {
    const error = errorOf(() => parsePatchPath(text));
    expect(error.scimType).toBe('invalidFilter');
    expect(error.detail).toMatch(message);
  });
});

describe('corpus test/corpora/scim-filter', () => {
  const ok = readCorpus('ok');
  const notOk = readCorpus('not-ok');

  it('has cases', () => {
    expect(ok.length).toBeGreaterThanOrEqual(25);
    expect(notOk.length).toBeGreaterThanOrEqual(25);
  });

  it.each(ok)('ok/%s parses', (_name, text) => {
    expect(() => parseFilter(text)).not.toThrow();
  });

  it.each(notOk)('not-ok/%s is an invalidFilter', (_name, text) => {
    const error = errorOf(() => parseFilter(text));
    expect(error.scimType).toBe('invalidFilter');
    expect(error.detail).toMatch(/\S/);
  });
});
