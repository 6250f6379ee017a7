import { SCIM_ENTERPRISE_USER_SCHEMA as ENT } from '../schemas/enterprise-user.schema';
import { SCIM_GROUP_SCHEMA as GROUP } from '../schemas/group.schema';
import { SCIM_USER_SCHEMA as USER } from '../schemas/user.schema';
import { parseAttributeList, project } from './projection';

const user = {
  schemas: [USER, ENT],
  id: 'u-1',
  externalId: 'ext-1',
  userName: 'ann@example.com',
  name: { givenName: 'Ann', familyName: 'Lee' },
  displayName: 'Ann Lee',
  active: true,
  password: 'secret-hash-or-cleartext',
  emails: [
    { value: 'ann@example.com', type: 'work', primary: true },
    { value: 'ann@home.example', type: 'home' },
  ],
  [ENT]: { department: 'R&D', manager: { value: 'm-1', displayName: 'Boss' } },
  meta: { resourceType: 'User', created: '2024-01-01T00:00:00Z', location: 'https://x/Users/u-1' },
  internalNote: 'not in any schema',
};

const group = {
  schemas: [GROUP],
  id: 'g-1',
  displayName: 'Admins',
  members: [{ value: 'u-1', display: 'ann' }],
  meta: { resourceType: 'Group' },
};

describe('project: defaults (RFC 7643 §7 returned)', () => {
  it('returns default and always attributes, never the password or unknown keys', () => {
    const { password: _p, internalNote: _n, ...expected } = user;
    expect(project(user, {}, 'User')).toEqual(expected);
  });

  it('orders keys schemas, id, externalId, core, extension, meta', () => {
    expect(Object.keys(project(user, {}, 'User'))).toEqual([
      'schemas',
      'id',
      'externalId',
      'userName',
      'name',
      'displayName',
      'active',
      'emails',
      ENT,
      'meta',
    ]);
  });

  it('does not mutate the resource', () => {
    const copy = structuredClone(user);
    project(copy, { attributes: ['name.givenName'] }, 'User');
    project(copy, {}, 'User');
    expect(copy).toEqual(user);
  });

  // A response without either list takes a plan made once per type; an exclusion that names
  // nothing goes through the general path, which must give the same answer, key order included.
  it.each([
    ['the user', user, 'User'],
    ['the group', group, 'Group'],
    [
      'odd values',
      {
        schemas: [USER],
        id: 'u-2',
        userName: 'bo',
        name: 'not an object',
        emails: [{ value: 'a@x', unknownSub: 1 }, 'a string', { unknownSub: 2 }, { primary: false }],
        phoneNumbers: [],
        addresses: [{}],
        x509Certificates: [{ value: 'c' }],
        [ENT]: { manager: {}, unknown: 'x' },
        meta: { resourceType: 'User', version: 'W/"1"', unknown: 'x' },
      },
      'User',
    ],
    ['an empty extension', { schemas: [USER, ENT], id: 'u-3', userName: 'cy', [ENT]: {} }, 'User'],
    ['no schemas', { id: 'u-4', userName: 'di', password: 'p' }, 'User'],
  ] as const)('keeps what the general path keeps of %s', (_name, resource, type) => {
    const plain = project(resource, {}, type);
    const general = project(resource, { excludedAttributes: ['noSuchAttribute'] }, type);
    expect(plain).toEqual(general);
    expect(JSON.stringify(plain)).toBe(JSON.stringify(general));
  });
});

describe('project: attributes= (RFC 7644 §3.4.2.5, §3.9)', () => {
  it.each([
    ['userName', { schemas: user.schemas, id: 'u-1', userName: 'ann@example.com' }],
    ['USERNAME', { schemas: user.schemas, id: 'u-1', userName: 'ann@example.com' }],
    ['name.givenName', { schemas: user.schemas, id: 'u-1', name: { givenName: 'Ann' } }],
    ['name.givenName,emails', { schemas: user.schemas, id: 'u-1', name: { givenName: 'Ann' }, emails: user.emails }],
    [
      'emails.value',
      { schemas: user.schemas, id: 'u-1', emails: [{ value: 'ann@example.com' }, { value: 'ann@home.example' }] },
    ],
    [`${USER}:userName`, { schemas: user.schemas, id: 'u-1', userName: 'ann@example.com' }],
    [`${ENT}:department`, { schemas: user.schemas, id: 'u-1', [ENT]: { department: 'R&D' } }],
    [`${ENT}:manager.value`, { schemas: user.schemas, id: 'u-1', [ENT]: { manager: { value: 'm-1' } } }],
    [ENT, { schemas: user.schemas, id: 'u-1', [ENT]: user[ENT] }],
    ['password', { schemas: user.schemas, id: 'u-1' }],
    ['nosuch,name.nosuch', { schemas: user.schemas, id: 'u-1' }],
    ['meta.created', { schemas: user.schemas, id: 'u-1', meta: { created: '2024-01-01T00:00:00Z' } }],
    ['emails.display', { schemas: user.schemas, id: 'u-1' }],
  ])('attributes=%s', (list, expected) => {
    expect(project(user, { attributes: parseAttributeList(list) }, 'User')).toEqual(expected);
  });
});

describe('project: excludedAttributes=', () => {
  it.each([
    ['emails', ['emails']],
    ['name.givenName', []],
    [ENT, [ENT]],
    [`${ENT}:manager`, []],
    ['id,password', []],
    ['nosuch', []],
  ])('excludedAttributes=%s', (list, dropped) => {
    const projected = project(user, { excludedAttributes: parseAttributeList(list) }, 'User');
    expect(projected.id).toBe('u-1');
    expect(projected.password).toBeUndefined();
    for (const key of dropped) expect(projected[key]).toBeUndefined();
  });

  it('removes a single sub-attribute', () => {
    expect(project(user, { excludedAttributes: ['name.givenName'] }, 'User').name).toEqual({ familyName: 'Lee' });
    expect(project(user, { excludedAttributes: [`${ENT}:manager`] }, 'User')[ENT]).toEqual({ department: 'R&D' });
  });

  it("answers Okta's and Entra's GET /Groups?excludedAttributes=members", () => {
    expect(project(group, { excludedAttributes: ['members'] }, 'Group')).toEqual({
      schemas: [GROUP],
      id: 'g-1',
      displayName: 'Admins',
      meta: { resourceType: 'Group' },
    });
  });

  it('lets attributes win when both are given', () => {
    expect(project(group, { attributes: ['members'], excludedAttributes: ['members'] }, 'Group')).toEqual({
      schemas: [GROUP],
      id: 'g-1',
      members: group.members,
    });
  });
});

describe('parseAttributeList', () => {
  it.each([
    [undefined, []],
    [null, []],
    ['', []],
    ['userName', ['userName']],
    [' userName , name.givenName ,,', ['userName', 'name.givenName']],
    [
      ['userName,emails', 'name'],
      ['userName', 'emails', 'name'],
    ],
  ])('%j', (raw, expected) => {
    expect(parseAttributeList(raw)).toEqual(expected);
  });
});

// A root query (RFC 7644 §3.4.3) applies one attribute list to users and groups alike.
describe('project: one list over several resource types', () => {
  it('keeps in each resource what its own schema names, and its always-returned attributes', () => {
    const options = { attributes: ['userName', 'members', 'displayName'] };
    expect(project(user, options, 'User')).toEqual({
      schemas: [USER, ENT],
      id: 'u-1',
      userName: 'ann@example.com',
      displayName: 'Ann Lee',
    });
    expect(project(group, options, 'Group')).toEqual({
      schemas: [GROUP],
      id: 'g-1',
      displayName: 'Admins',
      members: [{ value: 'u-1', display: 'ann' }],
    });
  });

  it('excludes from each resource what it has, and ignores what it lacks', () => {
    const options = { excludedAttributes: ['userName', 'members', 'emails'] };
    expect(project(group, options, 'Group')).not.toHaveProperty('members');
    expect(project(group, options, 'Group')).toHaveProperty('displayName', 'Admins');
    expect(project(user, options, 'User')).not.toHaveProperty('emails');
    expect(project(user, options, 'User')).toHaveProperty('active', true);
  });
});
