import { ScimError } from '../errors';
import { MAX_RESULTS, listQueryFromParams, listQueryFromSearch, listResponse } from './list-query';

describe('listQueryFromParams', () => {
  it('defaults to the first page of MAX_RESULTS in creation order', () => {
    expect(listQueryFromParams({})).toEqual({
      filter: undefined,
      startIndex: 1,
      count: MAX_RESULTS,
      sortBy: undefined,
      sortOrder: 'ascending',
      projection: { attributes: [], excludedAttributes: [] },
    });
  });

  it.each([
    [{ startIndex: '0' }, 'startIndex', 1],
    [{ startIndex: '-5' }, 'startIndex', 1],
    [{ startIndex: '101' }, 'startIndex', 101],
    [{ count: '0' }, 'count', 0],
    [{ count: '-1' }, 'count', 0],
    [{ count: '100' }, 'count', 100],
    [{ count: '100000' }, 'count', MAX_RESULTS],
    [{ StartIndex: '3', COUNT: '7' }, 'startIndex', 3],
    [{ count: ['5', '9'] }, 'count', 9],
  ])('reads %j (RFC 7644 §3.4.2.4)', (params, key, expected) => {
    expect(listQueryFromParams(params)[key as 'count']).toBe(expected);
  });

  it('reads a key named __proto__ as an unknown parameter, never as the prototype of the others', () => {
    // JSON.parse (as a body parser without prototype-poisoning checks would) makes `__proto__` an own key.
    const body = JSON.parse('{"__proto__": {"count": "7", "sortBy": "userName"}, "startIndex": "2"}') as unknown;
    expect(listQueryFromSearch(body)).toMatchObject({ startIndex: 2, count: MAX_RESULTS, sortBy: undefined });
    const params = JSON.parse('{"__proto__": {"count": "7"}}') as Record<string, unknown>;
    expect(listQueryFromParams(params).count).toBe(MAX_RESULTS);
  });

  it('parses the filter, sort and projection', () => {
    const query = listQueryFromParams({
      filter: 'userName eq "a"',
      sortBy: 'name.familyName',
      sortOrder: 'Descending',
      attributes: 'userName,emails',
      excludedAttributes: 'name',
    });
    expect(query.filter).toEqual({ kind: 'compare', path: { attribute: 'userName' }, op: 'eq', value: 'a' });
    expect(query).toMatchObject({
      sortBy: 'name.familyName',
      sortOrder: 'descending',
      projection: { attributes: ['userName', 'emails'], excludedAttributes: ['name'] },
    });
  });

  it('treats an empty filter as none', () => {
    expect(listQueryFromParams({ filter: '  ' }).filter).toBeUndefined();
  });

  it.each([
    [{ count: 'ten' }, 'invalidValue'],
    [{ startIndex: '1.5' }, 'invalidValue'],
    [{ sortOrder: 'up' }, 'invalidValue'],
    [{ filter: 'userName eq' }, 'invalidFilter'],
  ])('refuses %j with %s', (params, scimType) => {
    expect(() => listQueryFromParams(params)).toThrow(ScimError);
    try {
      listQueryFromParams(params);
    } catch (error) {
      expect((error as ScimError).scimType).toBe(scimType);
    }
  });
});

describe('listQueryFromSearch', () => {
  it('reads a SearchRequest body (RFC 7644 §3.4.3), numbers as JSON numbers and attribute lists as arrays', () => {
    const query = listQueryFromSearch({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: 'active eq true',
      startIndex: 2,
      count: 10,
      attributes: ['userName'],
    });
    expect(query).toMatchObject({ startIndex: 2, count: 10, projection: { attributes: ['userName'] } });
    expect(query.filter?.kind).toBe('compare');
  });

  it.each([
    ['not an object', []],
    ['a wrong schema', { schemas: ['urn:x'] }],
  ])('refuses %s with invalidSyntax', (_case, body) => {
    expect(() => listQueryFromSearch(body)).toThrow(expect.objectContaining({ scimType: 'invalidSyntax' }));
  });

  it('refuses attributes of the wrong type', () => {
    expect(() => listQueryFromSearch({ attributes: 5 })).toThrow(expect.objectContaining({ scimType: 'invalidValue' }));
  });
});

describe('listResponse', () => {
  it('builds the ListResponse message', () => {
    expect(listResponse(['a', 'b'], 12, 3)).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 12,
      startIndex: 3,
      itemsPerPage: 2,
      Resources: ['a', 'b'],
    });
  });
});
