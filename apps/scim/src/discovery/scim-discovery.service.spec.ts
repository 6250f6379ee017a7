import { ResolvedConfig } from '@app/platform';
import { ScimError } from '@app/identity/scim/errors';
import { ScimDiscoveryService } from './scim-discovery.service';

describe('ScimDiscoveryService', () => {
  const discovery = new ScimDiscoveryService({ scimPublicUrl: 'https://scim.example.com' } as ResolvedConfig);

  it('builds every location from SCIM_PUBLIC_URL', () => {
    const locations = [
      discovery.serviceProviderConfig().meta.location,
      ...discovery.resourceTypes().Resources.map((type) => type.meta.location),
      ...discovery.schemas().Resources.map((schema) => schema.meta.location),
    ];
    expect(locations).toHaveLength(6);
    for (const location of locations) expect(location).toMatch(/^https:\/\/scim\.example\.com\/scim\/v2\//);
  });

  it('publishes each schema every resource type uses, once, core first', () => {
    expect(discovery.schemas().Resources.map((schema) => schema.id)).toEqual([
      'urn:ietf:params:scim:schemas:core:2.0:User',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
      'urn:ietf:params:scim:schemas:core:2.0:Group',
    ]);
  });

  it.each(['User', 'user', 'GROUP'])('finds the resource type %s case-insensitively', (name) => {
    expect(discovery.resourceType(name).id.toLowerCase()).toBe(name.toLowerCase());
  });

  it.each(['urn:ietf:params:scim:schemas:core:2.0:Group', 'URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:GROUP'])(
    'finds the schema %s',
    (id) => {
      expect(discovery.schema(id).id).toBe('urn:ietf:params:scim:schemas:core:2.0:Group');
    },
  );

  it.each([
    ['resource type', () => discovery.resourceType('Device')],
    ['schema', () => discovery.schema('urn:ietf:params:scim:schemas:core:2.0:Device')],
  ])('answers an unknown %s with a 404 ScimError', (_case, lookup) => {
    expect(lookup).toThrow(ScimError);
    expect(lookup).toThrow(expect.objectContaining({ status: 404 }));
  });
});
