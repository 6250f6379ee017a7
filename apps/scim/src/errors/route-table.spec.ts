import { RouteTable } from './route-table';

describe('RouteTable', () => {
  const table = new RouteTable();
  table.add('GET', '/scim/v2/Schemas');
  table.add('HEAD', '/scim/v2/Schemas');
  table.add('GET', '/scim/v2/Schemas/:id');
  table.add(['PUT', 'patch'], '/scim/v2/Users/:id');
  table.add('DELETE', '/scim/v2/Users/:id');
  table.add('GET', '/files/*');

  it.each([
    ['/scim/v2/Schemas', ['GET', 'HEAD']],
    ['/scim/v2/Schemas?filter=x', ['GET', 'HEAD']],
    ['/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User', ['GET']],
    ['/scim/v2/Users/2819c223', ['DELETE', 'PATCH', 'PUT']],
    ['/files/a/b/c', ['GET']],
  ])('%s allows %p', (url, methods) => {
    expect(table.allowedMethods(url)).toEqual(methods);
  });

  it.each(['/scim/v2/Nothing', '/scim/v2/Users', '/scim/v2/Users/', '/scim/v2/Users/1/extra', '/scim/v2/schemas', '/'])(
    '%s matches no route',
    (url) => {
      expect(table.allowedMethods(url)).toEqual([]);
    },
  );
});
