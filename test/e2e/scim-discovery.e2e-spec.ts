import { ScimTokensService, TenantsService } from '@app/identity';
import { createScimApp } from '../../apps/scim/src/create-scim-app';
import { TestApp, startTestApp } from '../support/test-app';

const BASE = 'https://scim.gateway.test/scim/v2';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

/** RFC 7643 §4.1: every attribute of the core User (id, externalId and meta are common, §3.1). */
const RFC_7643_USER_ATTRIBUTES = [
  'userName',
  'name',
  'displayName',
  'nickName',
  'profileUrl',
  'title',
  'userType',
  'preferredLanguage',
  'locale',
  'timezone',
  'active',
  'password',
  'emails',
  'phoneNumbers',
  'ims',
  'photos',
  'addresses',
  'groups',
  'entitlements',
  'roles',
  'x509Certificates',
];

describe('SCIM app: discovery (RFC 7644 §4)', () => {
  let gateway: TestApp;
  let token: string;

  const get = async (
    url: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; headers: Record<string, unknown>; body: any }> => {
    const response = await gateway.app.inject({
      method: 'GET',
      url,
      headers: { authorization: `Bearer ${token}`, ...headers },
    });
    return { status: response.statusCode, headers: response.headers, body: JSON.parse(response.body) as unknown };
  };
  const attributeNames = (schema: { attributes: { name: string }[] }): string[] => schema.attributes.map((a) => a.name);
  const subAttributeNames = (attribute: { subAttributes: { name: string }[] }): string[] =>
    attribute.subAttributes.map((a) => a.name);

  beforeAll(async () => {
    gateway = await startTestApp(createScimApp);
    await gateway.app.get(TenantsService).create({ slug: 'acme', name: 'Acme', domains: [], signIn: 'jit' });
    ({ token } = await gateway.app.get(ScimTokensService).issue('acme', {}));
  });
  afterAll(() => gateway.close());

  describe('GET /ServiceProviderConfig', () => {
    it('states what the gateway supports (RFC 7643 §5)', async () => {
      const response = await get('/scim/v2/ServiceProviderConfig');
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('application/scim+json; charset=utf-8');
      expect(response.body).toEqual({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
        patch: { supported: true },
        bulk: { supported: false, maxOperations: 0, maxPayloadSize: 1048576 },
        filter: { supported: true, maxResults: 200 },
        changePassword: { supported: true },
        sort: { supported: true },
        etag: { supported: true },
        authenticationSchemes: [
          {
            type: 'oauthbearertoken',
            name: 'OAuth Bearer Token',
            description: expect.any(String),
            specUri: 'https://www.rfc-editor.org/info/rfc6750',
            primary: true,
          },
        ],
        meta: { resourceType: 'ServiceProviderConfig', location: `${BASE}/ServiceProviderConfig` },
      });
      expect(response.body).not.toHaveProperty('documentationUri');
    });

    it('builds location from SCIM_PUBLIC_URL, never from the Host header', async () => {
      const response = await get('/scim/v2/ServiceProviderConfig', {
        host: 'evil.example',
        'x-forwarded-host': 'evil.example',
      });
      expect(response.body.meta.location).toBe(`${BASE}/ServiceProviderConfig`);
    });
  });

  describe('GET /ResourceTypes', () => {
    const user = {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'User Account',
      schema: USER,
      schemaExtensions: [{ schema: ENTERPRISE_USER, required: false }],
      meta: { resourceType: 'ResourceType', location: `${BASE}/ResourceTypes/User` },
    };
    const group = {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'Group',
      schema: GROUP,
      meta: { resourceType: 'ResourceType', location: `${BASE}/ResourceTypes/Group` },
    };

    it('lists User (with the optional enterprise extension) and Group', async () => {
      const response = await get('/scim/v2/ResourceTypes');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        schemas: [LIST_RESPONSE],
        totalResults: 2,
        itemsPerPage: 2,
        startIndex: 1,
        Resources: [user, group],
      });
    });

    it.each([
      ['User', user],
      ['Group', group],
    ])('gets %s by name', async (name, expected) => {
      const response = await get(`/scim/v2/ResourceTypes/${name}`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual(expected);
    });

    it('answers an unknown resource type with a SCIM 404', async () => {
      const response = await get('/scim/v2/ResourceTypes/Device');
      expect(response.status).toBe(404);
      expect(response.body).toEqual({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
        status: '404',
        detail: 'no resource type "Device"',
      });
    });
  });

  describe('GET /Schemas', () => {
    it('lists the core User, Enterprise User and Group schemas', async () => {
      const response = await get('/scim/v2/Schemas');
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        schemas: [LIST_RESPONSE],
        totalResults: 3,
        itemsPerPage: 3,
        startIndex: 1,
      });
      const resources = response.body.Resources as { id: string; schemas: string[]; meta: unknown }[];
      expect(resources.map((schema) => schema.id)).toEqual([USER, ENTERPRISE_USER, GROUP]);
      for (const schema of resources) {
        expect(schema.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:Schema']);
        expect(schema.meta).toEqual({ resourceType: 'Schema', location: `${BASE}/Schemas/${schema.id}` });
      }
    });

    it('publishes every core User attribute of RFC 7643 §4.1, with its characteristics', async () => {
      const user = (await get(`/scim/v2/Schemas/${USER}`)).body;
      expect(user).toMatchObject({ id: USER, name: 'User', description: 'User Account' });
      expect(attributeNames(user)).toEqual(expect.arrayContaining(RFC_7643_USER_ATTRIBUTES));
      const byName = (name: string) => user.attributes.find((a: { name: string }) => a.name === name);
      expect(byName('userName')).toMatchObject({
        type: 'string',
        required: true,
        uniqueness: 'server',
        multiValued: false,
      });
      expect(byName('password')).toMatchObject({ mutability: 'writeOnly', returned: 'never' });
      expect(byName('groups')).toMatchObject({ multiValued: true, mutability: 'readOnly' });
      expect(subAttributeNames(byName('name'))).toEqual([
        'formatted',
        'familyName',
        'givenName',
        'middleName',
        'honorificPrefix',
        'honorificSuffix',
      ]);
      expect(subAttributeNames(byName('emails'))).toEqual(['value', 'display', 'type', 'primary']);
      expect(byName('emails').subAttributes[2].canonicalValues).toEqual(['work', 'home', 'other']);
    });

    it('publishes the Enterprise User extension (RFC 7643 §4.3)', async () => {
      const enterprise = (await get(`/scim/v2/Schemas/${ENTERPRISE_USER}`)).body;
      expect(attributeNames(enterprise)).toEqual([
        'employeeNumber',
        'costCenter',
        'organization',
        'division',
        'department',
        'manager',
      ]);
      const manager = enterprise.attributes.find((a: { name: string }) => a.name === 'manager');
      expect(subAttributeNames(manager)).toEqual(['value', '$ref', 'displayName']);
    });

    it('publishes the Group schema (RFC 7643 §4.2)', async () => {
      const group = (await get(`/scim/v2/Schemas/${GROUP}`)).body;
      expect(group).toMatchObject({
        id: GROUP,
        name: 'Group',
        meta: { resourceType: 'Schema', location: `${BASE}/Schemas/${GROUP}` },
      });
      expect(attributeNames(group)).toEqual(['displayName', 'members']);
    });

    it('advertises users as the only members of groups, as the server enforces (no nested groups)', async () => {
      const byName = (attributes: { name: string }[], name: string): any =>
        attributes.find((attribute) => attribute.name === name);
      for (const url of [`/scim/v2/Schemas/${GROUP}`, '/scim/v2/Schemas']) {
        const body = (await get(url)).body;
        const group = body.Resources ? body.Resources.find((schema: { id: string }) => schema.id === GROUP) : body;
        const members = byName(group.attributes, 'members');
        expect(byName(members.subAttributes, '$ref').referenceTypes).toEqual(['User']);
        expect(byName(members.subAttributes, 'type').canonicalValues).toEqual(['User']);
      }
      const user = (await get(`/scim/v2/Schemas/${USER}`)).body;
      const groups = byName(user.attributes, 'groups');
      expect(byName(groups.subAttributes, '$ref').referenceTypes).toEqual(['Group']);
      expect(byName(groups.subAttributes, 'type').canonicalValues).toEqual(['direct']);

      // And the server does refuse a group as a member.
      const created = await gateway.app.inject({
        method: 'POST',
        url: '/scim/v2/Groups',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
        payload: JSON.stringify({
          schemas: [GROUP],
          displayName: 'Nesting',
          members: [{ value: '2819c223-7f76-453a-919d-413861904646', type: 'Group' }],
        }),
      });
      expect(created.statusCode).toBe(400);
    });

    it('finds a schema by URN whatever its case (RFC 7643 §2.1)', async () => {
      const response = await get(`/scim/v2/Schemas/${ENTERPRISE_USER.toUpperCase()}`);
      expect(response.status).toBe(200);
      expect(response.body.id).toBe(ENTERPRISE_USER);
    });

    it.each(['urn:ietf:params:scim:schemas:core:2.0:Device', 'User'])(
      'answers an unknown schema (%s) with a SCIM 404',
      async (id) => {
        const response = await get(`/scim/v2/Schemas/${id}`);
        expect(response.status).toBe(404);
        expect(response.headers['content-type']).toBe('application/scim+json; charset=utf-8');
        expect(response.body).toEqual({
          schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
          status: '404',
          detail: `no schema "${id}"`,
        });
      },
    );
  });

  describe('query parameters', () => {
    it.each(['/scim/v2/Schemas', '/scim/v2/ResourceTypes', '/scim/v2/ServiceProviderConfig'])(
      'refuses a filter on %s with 403 (RFC 7644 §4)',
      async (url) => {
        const response = await get(`${url}?filter=${encodeURIComponent('id eq "x"')}`);
        expect(response.status).toBe(403);
        expect(response.body).toEqual({
          schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
          status: '403',
          detail: expect.any(String),
        });
      },
    );

    it('ignores paging and sorting (RFC 7644 §4)', async () => {
      const response = await get('/scim/v2/Schemas?startIndex=2&count=1&sortBy=id&sortOrder=descending');
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ totalResults: 3, itemsPerPage: 3, startIndex: 1 });
      expect(response.body.Resources.map((schema: { id: string }) => schema.id)).toEqual([
        USER,
        ENTERPRISE_USER,
        GROUP,
      ]);
    });
  });
});
