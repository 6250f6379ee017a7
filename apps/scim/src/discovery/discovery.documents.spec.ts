import {
  ENTERPRISE_USER_SCHEMA,
  GROUP_RESOURCE_TYPE,
  USER_RESOURCE_TYPE,
  USER_SCHEMA,
} from '@app/identity/scim/schemas';
import { attribute, complexAttribute } from '@app/identity/scim/schemas/schema.builders';
import { resourceTypeDocument, schemaDocument, serviceProviderConfigDocument } from './discovery.documents';

const BASE = 'https://scim.example.com/scim/v2';

describe('discovery documents', () => {
  describe('serviceProviderConfigDocument', () => {
    const document = serviceProviderConfigDocument(BASE, { maxPayloadSize: 1048576 });

    it('announces no bulk, and the payload limit the server enforces', () => {
      expect(document.bulk).toEqual({ supported: false, maxOperations: 0, maxPayloadSize: 1048576 });
    });

    it('announces what the gateway serves', () => {
      expect(document).toMatchObject({
        patch: { supported: true },
        filter: { supported: true, maxResults: 200 },
        changePassword: { supported: true },
        sort: { supported: true },
        etag: { supported: true },
      });
    });

    it('offers exactly one, primary, OAuth bearer token scheme', () => {
      expect(document.authenticationSchemes).toEqual([
        expect.objectContaining({ type: 'oauthbearertoken', primary: true }),
      ]);
    });

    it('has no documentationUri to point at', () => {
      expect(JSON.stringify(document)).not.toContain('documentationUri');
    });

    it('locates itself under the base URL', () => {
      expect(document.meta).toEqual({
        resourceType: 'ServiceProviderConfig',
        location: `${BASE}/ServiceProviderConfig`,
      });
    });
  });

  describe('resourceTypeDocument', () => {
    it('lists the User extension as optional', () => {
      expect(resourceTypeDocument(BASE, USER_RESOURCE_TYPE)).toMatchObject({
        id: 'User',
        endpoint: '/Users',
        schema: USER_SCHEMA.id,
        schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA.id, required: false }],
        meta: { resourceType: 'ResourceType', location: `${BASE}/ResourceTypes/User` },
      });
    });

    it('leaves schemaExtensions out when there are none, as RFC 7643 §8.6 does for Group', () => {
      expect(resourceTypeDocument(BASE, GROUP_RESOURCE_TYPE)).not.toHaveProperty('schemaExtensions');
    });
  });

  describe('schemaDocument', () => {
    it('wraps a schema with the Schema URN and a location holding the raw URN', () => {
      expect(schemaDocument(BASE, USER_SCHEMA)).toMatchObject({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
        id: USER_SCHEMA.id,
        meta: { resourceType: 'Schema', location: `${BASE}/Schemas/urn:ietf:params:scim:schemas:core:2.0:User` },
      });
    });

    it('publishes the RFC 7643 §7 characteristics in order, optional ones only when set', () => {
      const schema = {
        id: 'urn:example:Test',
        name: 'Test',
        description: 'Test',
        attributes: [
          complexAttribute(
            'thing',
            'A thing.',
            [attribute('kind', 'string', 'Its kind.', { canonicalValues: ['a', 'b'] })],
            { multiValued: true },
          ),
          attribute('link', 'reference', 'A link.', { referenceTypes: ['external'] }),
        ],
      };
      const [thing, link] = schemaDocument(BASE, schema).attributes;
      expect(Object.keys(thing ?? {})).toEqual([
        'name',
        'type',
        'multiValued',
        'description',
        'required',
        'caseExact',
        'mutability',
        'returned',
        'uniqueness',
        'subAttributes',
      ]);
      expect(Object.keys(thing?.subAttributes?.[0] ?? {})).toEqual([
        'name',
        'type',
        'multiValued',
        'description',
        'required',
        'canonicalValues',
        'caseExact',
        'mutability',
        'returned',
        'uniqueness',
      ]);
      expect(link).toMatchObject({ type: 'reference', referenceTypes: ['external'] });
    });

    it('publishes no characteristic a definition carries beyond RFC 7643 §7', () => {
      const internal = { ...attribute('secret', 'string', 'x'), column: 'users.secret' };
      const [published] = schemaDocument(BASE, {
        id: 'urn:x',
        name: 'X',
        description: 'X',
        attributes: [internal],
      }).attributes;
      expect(published).not.toHaveProperty('column');
    });
  });
});
