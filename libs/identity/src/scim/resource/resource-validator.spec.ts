import { ScimError } from '../errors';
import { SCIM_ENTERPRISE_USER_SCHEMA as ENT } from '../schemas/enterprise-user.schema';
import { SCIM_GROUP_SCHEMA as GROUP } from '../schemas/group.schema';
import { SCIM_USER_SCHEMA as USER } from '../schemas/user.schema';
import { attribute } from '../schemas/schema.builders';
import type { AttributeDefinition, AttributeType } from '../schemas/schema.types';
import { normalizeAttributeValue, normalizeResource } from './resource-validator';

function errorOf(action: () => unknown): ScimError {
  try {
    action();
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw error;
  }
  throw new Error('expected a ScimError');
}

// SCIM-DIALECTS.md: Okta's create user (with Sync Password on).
const oktaCreate = {
  schemas: [USER],
  userName: 'test.user@okta.local',
  name: { givenName: 'Test', familyName: 'User' },
  emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
  displayName: 'Test User',
  locale: 'en-US',
  externalId: '00ujl29u0le5T6Aj10h7',
  groups: [],
  password: '1mz050nq',
  active: true,
};

// SCIM-DIALECTS.md: Entra's create user, with the extension and the `meta` it sends.
const entraCreate = {
  schemas: [USER, ENT],
  externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
  userName: 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1',
  active: true,
  addresses: [
    {
      primary: true,
      type: 'work',
      country: 'NL',
      locality: 'Utrecht',
      postalCode: '3511',
      streetAddress: 'Oudegracht 1',
    },
  ],
  displayName: 'Test User',
  emails: [{ primary: true, type: 'work', value: 'Test_User@contoso.com' }],
  meta: { resourceType: 'User' },
  name: { formatted: 'Test User', familyName: 'User', givenName: 'Test' },
  phoneNumbers: [{ primary: true, type: 'work', value: '123-456-7890' }],
  roles: [],
  title: 'Engineer',
  [ENT]: { department: 'R&D', employeeNumber: '42', manager: { value: 'mgr-1' } },
};

describe('normalizeResource: what Okta and Entra send', () => {
  it("keeps Okta's create user, dropping the readOnly empty groups and keeping the password", () => {
    const { groups: _groups, ...expected } = oktaCreate;
    expect(normalizeResource(oktaCreate, 'User')).toEqual(expected);
  });

  it("keeps Entra's create user, ignoring meta and the empty roles, with the extension under its URN", () => {
    const { meta: _meta, roles: _roles, ...expected } = entraCreate;
    expect(normalizeResource(entraCreate, 'User')).toEqual(expected);
  });

  it('puts schemas first, core then the extension', () => {
    expect(Object.keys(normalizeResource(entraCreate, 'User'))[0]).toBe('schemas');
  });

  it('accepts Okta and Entra group creates', () => {
    expect(normalizeResource({ schemas: [GROUP], displayName: 'Test SCIMv2', members: [] }, 'Group')).toEqual({
      schemas: [GROUP],
      displayName: 'Test SCIMv2',
    });
    expect(normalizeResource({ schemas: [GROUP], externalId: 'e-1', displayName: 'G' }, 'Group')).toEqual({
      schemas: [GROUP],
      externalId: 'e-1',
      displayName: 'G',
    });
  });
});

describe('normalizeResource: normalisation', () => {
  it.each([
    [
      'canonical attribute names',
      { username: 'a', DisplayName: 'A', NAME: { GivenName: 'x' } },
      { schemas: [USER], userName: 'a', displayName: 'A', name: { givenName: 'x' } },
    ],
    [
      'Entra "True"/"False" booleans',
      { userName: 'a', active: 'False', emails: [{ value: 'a@x', primary: 'TRUE' }] },
      { schemas: [USER], userName: 'a', active: false, emails: [{ value: 'a@x', primary: true }] },
    ],
    [
      "Entra's bare manager id",
      { userName: 'a', [ENT]: { manager: 'mgr-1' } },
      { schemas: [USER, ENT], userName: 'a', [ENT]: { manager: { value: 'mgr-1' } } },
    ],
    [
      'readOnly manager.displayName ignored',
      { userName: 'a', [ENT]: { manager: { value: 'm', displayName: 'Boss' } } },
      { schemas: [USER, ENT], userName: 'a', [ENT]: { manager: { value: 'm' } } },
    ],
    [
      'id, meta and groups ignored',
      { id: 'x', meta: { created: 'no' }, groups: [{ value: 'g' }], userName: 'a' },
      { schemas: [USER], userName: 'a' },
    ],
    [
      'unknown attributes and extensions ignored',
      {
        userName: 'a',
        favouriteColour: 'red',
        'urn:okta:custom:1.0:User': { x: 1 },
        name: { nickname: 'x', givenName: 'G' },
      },
      { schemas: [USER], userName: 'a', name: { givenName: 'G' } },
    ],
    [
      'null, empty arrays and empty objects are unassigned',
      { userName: 'a', title: null, emails: [], name: {}, [ENT]: {} },
      { schemas: [USER], userName: 'a' },
    ],
    [
      'extension URN not in schemas still read; URN dropped when empty',
      { schemas: [USER, ENT], userName: 'a', [ENT.toLowerCase()]: { Department: 'D' } },
      { schemas: [USER, ENT], userName: 'a', [ENT]: { department: 'D' } },
    ],
    [
      'URN-qualified attributes',
      { [`${USER}:userName`]: 'a', [`${ENT}:costCenter`]: 'c' },
      { schemas: [USER, ENT], userName: 'a', [ENT]: { costCenter: 'c' } },
    ],
    ['schemas absent is fine', { userName: 'a' }, { schemas: [USER], userName: 'a' }],
    [
      'base64 certificates',
      { userName: 'a', x509Certificates: [{ value: 'TUlJQ==' }] },
      { schemas: [USER], userName: 'a', x509Certificates: [{ value: 'TUlJQ==' }] },
    ],
  ])('%s', (_label, body, expected) => {
    expect(normalizeResource(body, 'User')).toEqual(expected);
  });

  it('does not mutate its input', () => {
    const body = structuredClone(entraCreate);
    normalizeResource(body, 'User');
    expect(body).toEqual(entraCreate);
  });
});

describe('normalizeResource: errors', () => {
  it.each([
    ['userName a number', { userName: 5 }, 'invalidValue'],
    ['userName missing', { displayName: 'x' }, 'invalidValue'],
    ['userName empty', { userName: '  ' }, 'invalidValue'],
    ['userName null', { userName: null }, 'invalidValue'],
    ['emails a string', { userName: 'a', emails: 'x' }, 'invalidValue'],
    ['emails an object', { userName: 'a', emails: { value: 'x' } }, 'invalidValue'],
    ['email element a string', { userName: 'a', emails: ['x'] }, 'invalidValue'],
    ['email value a number', { userName: 'a', emails: [{ value: 5 }] }, 'invalidValue'],
    ['active "maybe"', { userName: 'a', active: 'maybe' }, 'invalidValue'],
    ['active 1', { userName: 'a', active: 1 }, 'invalidValue'],
    ['name a string', { userName: 'a', name: 'Ann' }, 'invalidValue'],
    [
      'two primary emails',
      {
        userName: 'a',
        emails: [
          { value: 'a', primary: true },
          { value: 'b', primary: 'True' },
        ],
      },
      'invalidValue',
    ],
    ['extension not an object', { userName: 'a', [ENT]: 'x' }, 'invalidValue'],
    ['manager a number', { userName: 'a', [ENT]: { manager: 7 } }, 'invalidValue'],
    ['certificate not base64', { userName: 'a', x509Certificates: [{ value: '***' }] }, 'invalidValue'],
    ['schemas a string', { schemas: USER, userName: 'a' }, 'invalidValue'],
    ['one attribute spelled twice', { userName: 'a', USERNAME: 'b' }, 'invalidValue'],
    ['body an array', [], 'invalidSyntax'],
    ['body a string', 'x', 'invalidSyntax'],
  ])('%s → %s', (_label, body, scimType) => {
    const error = errorOf(() => normalizeResource(body, 'User'));
    expect(error.status).toBe(400);
    expect(error.scimType).toBe(scimType);
  });

  it('requires Group displayName', () => {
    expect(errorOf(() => normalizeResource({ members: [] }, 'Group')).scimType).toBe('invalidValue');
  });

  it('rejects a member without a string value type', () => {
    expect(errorOf(() => normalizeResource({ displayName: 'g', members: [{ value: 1 }] }, 'Group')).scimType).toBe(
      'invalidValue',
    );
  });
});

describe('normalizeAttributeValue: types (RFC 7643 §2.3)', () => {
  const of = (type: AttributeType): AttributeDefinition => attribute('x', type, 'test');

  it.each([
    ['dateTime', '2008-01-23T04:56:22Z'],
    ['dateTime', '2008-01-23T04:56:22.123+01:00'],
    ['integer', 42],
    ['decimal', 4.2],
    ['reference', 'https://example.com/Users/1'],
    ['binary', 'TUlJQ0lqQ0NBWXFnQXdJQkFnSUo='],
    ['boolean', true],
  ] as Array<[AttributeType, unknown]>)('accepts a %s %j', (type, value) => {
    expect(normalizeAttributeValue(of(type), value, 'x')).toBe(value);
  });

  it.each([
    ['dateTime', '2008-01-23'],
    ['dateTime', '2008-13-23T04:56:22Z'],
    ['dateTime', 1234],
    ['integer', 4.2],
    ['integer', '42'],
    ['decimal', Number.NaN],
    ['reference', 5],
    ['binary', 'not base64!'],
    ['boolean', 'yes'],
  ] as Array<[AttributeType, unknown]>)('rejects a %s %j with invalidValue', (type, value) => {
    expect(errorOf(() => normalizeAttributeValue(of(type), value, 'x')).scimType).toBe('invalidValue');
  });
});
