import type { FastifyRequest } from 'fastify';
import { boundedCost } from './bounded-cost';

const request = (method: string, url: string, query: unknown = {}, body?: unknown): FastifyRequest =>
  ({ method, routeOptions: { url }, query, body }) as unknown as FastifyRequest;

describe('boundedCost', () => {
  it('counts a lookup of one user by a unique key, and a create without a password, as bounded', () => {
    expect(boundedCost(request('GET', '/scim/v2/Users/:id'))).toBe(true);
    expect(boundedCost(request('GET', '/scim/v2/Users', { filter: 'userName eq "a@b.test"' }))).toBe(true);
    expect(boundedCost(request('GET', '/scim/v2/Users', { FILTER: ' USERNAME EQ "a \\" b" ', count: '1' }))).toBe(true);
    expect(boundedCost(request('GET', '/scim/v2/Users', { filter: 'id eq "2819c223"' }))).toBe(true);
    expect(boundedCost(request('POST', '/scim/v2/Users', {}, { userName: 'a@b.test', active: true }))).toBe(true);
  });

  it('counts everything else as costly', () => {
    const costly = [
      request('GET', '/scim/v2/Users'),
      request('GET', '/scim/v2/Users', { count: '200' }),
      request('GET', '/scim/v2/Users', { filter: 'userName eq "a" or userName eq "b"' }),
      request('GET', '/scim/v2/Users', { filter: 'userName eq "a" and displayName co "x"' }),
      request('GET', '/scim/v2/Users', { filter: 'externalId eq "x"' }),
      request('GET', '/scim/v2/Users', { filter: 'userName co "a"' }),
      request('GET', '/scim/v2/Users', { filter: 'urn:ietf:params:scim:schemas:core:2.0:User:userName eq "a"' }),
      request('GET', '/scim/v2/Users', { filter: ['userName eq "a"', 'userName eq "b"'] }),
      request('GET', '/scim/v2/Users', { filter: 'userName eq "a"', Filter: 'displayName co "x"' }),
      request('GET', '/scim/v2/Groups/:id'),
      request('GET', '/scim/v2/Groups', { filter: 'displayName eq "a"' }),
      request('POST', '/scim/v2/Users/.search', {}, { filter: 'userName eq "a"' }),
      request('POST', '/scim/v2/Users', {}, { userName: 'a', password: 'secret' }),
      request('POST', '/scim/v2/Users', {}, { userName: 'a', Password: 'secret' }),
      request('POST', '/scim/v2/Users', {}, { 'urn:ietf:params:scim:schemas:core:2.0:User:password': 'secret' }),
      request('POST', '/scim/v2/Users', {}, 'not an object'),
      request('POST', '/scim/v2/Groups', {}, { displayName: 'g' }),
      request('PUT', '/scim/v2/Users/:id', {}, { userName: 'a' }),
      request('PATCH', '/scim/v2/Users/:id', {}, {}),
      request('DELETE', '/scim/v2/Users/:id'),
    ];
    expect(costly.map(boundedCost)).toEqual(costly.map(() => false));
  });
});
