import { ENTERPRISE_USER_SCHEMA, SCIM_ENTERPRISE_USER_SCHEMA } from './enterprise-user.schema';
import { GROUP_SCHEMA, SCIM_GROUP_SCHEMA } from './group.schema';
import {
  COMMON_ATTRIBUTES,
  createAttributeResolver,
  formatAttributePath,
  parseAttributeName,
  resolveAttribute,
  schemaUrns,
  USER_RESOURCE_TYPE,
} from './schema-registry';
import type { AttributeDefinition } from './schema.types';
import { SCIM_USER_SCHEMA, USER_SCHEMA } from './user.schema';

const ENT = SCIM_ENTERPRISE_USER_SCHEMA;

function byName(attributes: readonly AttributeDefinition[], name: string): AttributeDefinition {
  const found = attributes.find((a) => a.name === name);
  if (!found) throw new Error(`no ${name}`);
  return found;
}

describe('schemas (RFC 7643 §4, §8.7.1)', () => {
  it('publishes the RFC URNs', () => {
    expect([USER_SCHEMA.id, ENTERPRISE_USER_SCHEMA.id, GROUP_SCHEMA.id]).toEqual([
      'urn:ietf:params:scim:schemas:core:2.0:User',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
      'urn:ietf:params:scim:schemas:core:2.0:Group',
    ]);
    expect(SCIM_USER_SCHEMA).toBe(USER_SCHEMA.id);
    expect(SCIM_GROUP_SCHEMA).toBe(GROUP_SCHEMA.id);
  });

  it('defines every core User attribute in RFC order', () => {
    expect(USER_SCHEMA.attributes.map((a) => a.name)).toEqual([
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
    ]);
  });

  it.each([
    [
      'userName',
      {
        type: 'string',
        required: true,
        caseExact: false,
        uniqueness: 'server',
        returned: 'default',
        mutability: 'readWrite',
      },
    ],
    ['password', { type: 'string', mutability: 'writeOnly', returned: 'never' }],
    ['active', { type: 'boolean' }],
    ['profileUrl', { type: 'reference', referenceTypes: ['external'] }],
    ['groups', { type: 'complex', multiValued: true, mutability: 'readOnly' }],
    ['emails', { type: 'complex', multiValued: true, mutability: 'readWrite' }],
    ['x509Certificates', { type: 'complex', multiValued: true }],
  ])('User %s has the §8.7.1 characteristics', (name, expected) => {
    expect(byName(USER_SCHEMA.attributes, name)).toMatchObject(expected);
  });

  it.each([
    ['emails', ['value', 'display', 'type', 'primary'], ['work', 'home', 'other']],
    ['phoneNumbers', ['value', 'display', 'type', 'primary'], ['work', 'home', 'mobile', 'fax', 'pager', 'other']],
    ['ims', ['value', 'display', 'type', 'primary'], ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo']],
    ['photos', ['value', 'display', 'type', 'primary'], ['photo', 'thumbnail']],
    [
      'addresses',
      ['formatted', 'streetAddress', 'locality', 'region', 'postalCode', 'country', 'type', 'primary'],
      ['work', 'home', 'other'],
    ],
    // Groups do not nest: every membership is direct.
    ['groups', ['value', '$ref', 'display', 'type'], ['direct']],
  ])('User %s has sub-attributes %j and type values %j', (name, subs, canonical) => {
    const definition = byName(USER_SCHEMA.attributes, name);
    expect(definition.subAttributes?.map((s) => s.name)).toEqual(subs);
    expect(byName(definition.subAttributes ?? [], 'type').canonicalValues).toEqual(canonical);
  });

  it('names only what exists: members are users, and a user belongs to groups', () => {
    const members = byName(GROUP_SCHEMA.attributes, 'members').subAttributes ?? [];
    expect(byName(members, '$ref').referenceTypes).toEqual(['User']);
    expect(byName(members, 'type').canonicalValues).toEqual(['User']);
    const groups = byName(USER_SCHEMA.attributes, 'groups').subAttributes ?? [];
    expect(byName(groups, '$ref').referenceTypes).toEqual(['Group']);
    expect(JSON.stringify([GROUP_SCHEMA, USER_SCHEMA])).not.toMatch(/nested groups|indirect/i);
  });

  it('types certificate values as binary and photo values as external references', () => {
    const cert = byName(USER_SCHEMA.attributes, 'x509Certificates');
    const photo = byName(USER_SCHEMA.attributes, 'photos');
    expect(byName(cert.subAttributes ?? [], 'value').type).toBe('binary');
    expect(byName(photo.subAttributes ?? [], 'value')).toMatchObject({
      type: 'reference',
      referenceTypes: ['external'],
    });
  });

  it('defines the name sub-attributes', () => {
    expect(byName(USER_SCHEMA.attributes, 'name').subAttributes?.map((s) => s.name)).toEqual([
      'formatted',
      'familyName',
      'givenName',
      'middleName',
      'honorificPrefix',
      'honorificSuffix',
    ]);
  });

  it('defines the Enterprise User extension with a readOnly manager.displayName', () => {
    expect(ENTERPRISE_USER_SCHEMA.attributes.map((a) => a.name)).toEqual([
      'employeeNumber',
      'costCenter',
      'organization',
      'division',
      'department',
      'manager',
    ]);
    const manager = byName(ENTERPRISE_USER_SCHEMA.attributes, 'manager');
    expect(manager.subAttributes?.map((s) => [s.name, s.mutability])).toEqual([
      ['value', 'readWrite'],
      ['$ref', 'readWrite'],
      ['displayName', 'readOnly'],
    ]);
  });

  it('defines Group displayName (required) and immutable member sub-attributes', () => {
    expect(byName(GROUP_SCHEMA.attributes, 'displayName')).toMatchObject({ required: true });
    const members = byName(GROUP_SCHEMA.attributes, 'members');
    expect(members).toMatchObject({ multiValued: true, mutability: 'readWrite' });
    expect(members.subAttributes?.map((s) => [s.name, s.mutability])).toEqual([
      ['value', 'immutable'],
      ['$ref', 'immutable'],
      ['display', 'immutable'],
      ['type', 'immutable'],
    ]);
  });

  it('keeps the common attributes out of the published schemas (RFC 7643 §3.1)', () => {
    expect(COMMON_ATTRIBUTES.map((a) => a.name)).toEqual(['id', 'externalId', 'meta']);
    expect(byName(COMMON_ATTRIBUTES, 'id')).toMatchObject({
      caseExact: true,
      mutability: 'readOnly',
      returned: 'always',
    });
    expect(byName(COMMON_ATTRIBUTES, 'externalId')).toMatchObject({ caseExact: true, mutability: 'readWrite' });
    expect(USER_SCHEMA.attributes.some((a) => a.name === 'id')).toBe(false);
  });

  it('serialises to plain JSON (what /Schemas publishes)', () => {
    expect(JSON.parse(JSON.stringify(USER_SCHEMA))).toEqual(USER_SCHEMA);
  });
});

describe('parseAttributeName (RFC 7644 §3.10)', () => {
  it.each([
    ['userName', { attribute: 'userName' }],
    [' name.givenName ', { attribute: 'name', subAttribute: 'givenName' }],
    [`${SCIM_USER_SCHEMA}:userName`, { schema: SCIM_USER_SCHEMA, attribute: 'userName' }],
    [`${ENT}:manager.value`, { schema: ENT, attribute: 'manager', subAttribute: 'value' }],
    ['members.$ref', { attribute: 'members', subAttribute: '$ref' }],
  ])('%s', (text, expected) => {
    expect(parseAttributeName(text)).toEqual(expected);
  });
});

describe('resolveAttribute', () => {
  it.each([
    ['username', undefined, 'userName'],
    ['USERNAME', undefined, 'userName'],
    ['Active', undefined, 'active'],
    ['id', undefined, 'id'],
    ['EXTERNALID', undefined, 'externalId'],
    ['name.GIVENNAME', undefined, 'name.givenName'],
    ['emails.Value', undefined, 'emails.value'],
    [`${SCIM_USER_SCHEMA}:userName`, undefined, 'userName'],
    [`${SCIM_USER_SCHEMA.toLowerCase()}:name.familyName`, undefined, 'name.familyName'],
    [`${ENT}:department`, ENT, `${ENT}:department`],
    [`${ENT.toUpperCase()}:Manager.Value`, ENT, `${ENT}:manager.value`],
  ])('resolves %s to its canonical spelling', (text, container, canonical) => {
    const resolved = resolveAttribute('User', parseAttributeName(text));
    expect(resolved?.container).toBe(container);
    expect(resolved && formatAttributePath(resolved)).toBe(canonical);
  });

  it.each([
    'nosuch',
    'name.nosuch',
    'department', // extension attributes need their URN (RFC 7644 §3.10)
    `${ENT}:nosuch`,
    'urn:example:unknown:1.0:User:userName',
    `${SCIM_GROUP_SCHEMA}:userName`,
  ])('does not resolve %s on a User', (text) => {
    expect(resolveAttribute(USER_RESOURCE_TYPE, parseAttributeName(text))).toBeUndefined();
  });

  it('resolves Group attributes but not User ones on a Group', () => {
    expect(resolveAttribute('Group', { attribute: 'MEMBERS', subAttribute: 'value' })?.subAttribute?.name).toBe(
      'value',
    );
    expect(resolveAttribute('Group', { attribute: 'userName' })).toBeUndefined();
  });

  it('lists the schema URNs of a resource type, core first', () => {
    expect(schemaUrns('User')).toEqual([SCIM_USER_SCHEMA, ENT]);
    expect(schemaUrns('Group')).toEqual([SCIM_GROUP_SCHEMA]);
  });
});

describe('attribute resolvers for the filter evaluator', () => {
  it('returns the leaf definition of a path', () => {
    const resolve = createAttributeResolver('User');
    expect(resolve({ attribute: 'emails', subAttribute: 'type' })?.canonicalValues).toContain('work');
    expect(resolve({ schema: ENT, attribute: 'employeeNumber' })?.type).toBe('string');
    expect(resolve({ attribute: 'nosuch' })).toBeUndefined();
  });
});
