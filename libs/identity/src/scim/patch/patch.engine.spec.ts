import { ScimError } from '../errors';
import type { ScimResource } from '../resource/resource-validator';
import { SCIM_ENTERPRISE_USER_SCHEMA as ENT } from '../schemas/enterprise-user.schema';
import { SCIM_GROUP_SCHEMA as GROUP } from '../schemas/group.schema';
import { SCIM_USER_SCHEMA as USER } from '../schemas/user.schema';
import { applyPatch, type PatchOptions } from './patch.engine';
import { SCIM_PATCH_OP_SCHEMA } from './patch-request';

const user: ScimResource = {
  schemas: [USER, ENT],
  id: 'u-1',
  externalId: 'ext-1',
  userName: 'ann@example.com',
  name: { givenName: 'Ann', middleName: 'J', familyName: 'Lee' },
  displayName: 'Ann Lee',
  active: true,
  emails: [
    { value: 'ann@example.com', type: 'work', primary: true },
    { value: 'ann@home.example', type: 'home' },
  ],
  addresses: [{ type: 'work', locality: 'Utrecht', country: 'NL' }],
  [ENT]: { department: 'R&D', manager: { value: 'm-1' } },
  meta: { resourceType: 'User', created: '2024-01-01T00:00:00Z' },
};

const bareUser: ScimResource = { schemas: [USER], id: 'u-2', userName: 'bob' };

const group: ScimResource = {
  schemas: [GROUP],
  id: 'g-1',
  displayName: 'Test SCIMv2',
  members: [{ value: 'u-1', display: 'ann' }],
};

function message(...operations: unknown[]): unknown {
  return { schemas: [SCIM_PATCH_OP_SCHEMA], Operations: operations };
}

function patchUser(resource: ScimResource, ...operations: unknown[]) {
  return applyPatch(resource, message(...operations), 'User');
}

const MEMBERS: PatchOptions = { deferredAttributes: ['members'] };

describe('applyPatch: Okta (SCIM-DIALECTS.md)', () => {
  it('merges a path-less replace of name, keeping sub-attributes not given (RFC 7644 §3.5.2.3)', () => {
    const { resource, changedAttributes } = patchUser(user, {
      op: 'replace',
      value: { name: { givenName: 'Another', familyName: 'Name' } },
    });
    expect(resource.name).toEqual({ givenName: 'Another', middleName: 'J', familyName: 'Name' });
    expect(changedAttributes).toEqual(['name']);
  });

  it.each([
    [{ active: false }, false],
    [{ active: true }, true],
  ])('deactivates / reactivates with %j', (value, active) => {
    const { resource } = patchUser({ ...user, active: !active }, { op: 'replace', value });
    expect(resource.active).toBe(active);
  });

  it('syncs a password through a path-less replace', () => {
    const { resource, changedAttributes } = patchUser(user, { op: 'replace', value: { password: 'n3w-Secret' } });
    expect(resource.password).toBe('n3w-Secret');
    expect(changedAttributes).toEqual(['password']);
  });

  it("renames a group, ignoring the group's own id in the value", () => {
    const { resource, changedAttributes } = applyPatch(
      group,
      message({ op: 'replace', value: { id: 'g-1', displayName: 'Test SCIMv2 renamed' } }),
      'Group',
    );
    expect(resource).toEqual({ ...group, displayName: 'Test SCIMv2 renamed' });
    expect(changedAttributes).toEqual(['displayName']);
  });

  it('adds members as a deferred change', () => {
    const { resource, deferredChanges } = applyPatch(
      group,
      message({ op: 'add', path: 'members', value: [{ value: 'u-9', display: 'user@x' }] }),
      'Group',
      MEMBERS,
    );
    expect(resource).toEqual(group);
    expect(deferredChanges).toEqual([
      { attribute: 'members', op: 'add', values: [{ value: 'u-9', display: 'user@x' }] },
    ]);
  });

  it('removes one member by value filter as a deferred change', () => {
    const { deferredChanges } = applyPatch(
      group,
      message({ op: 'remove', path: 'members[value eq "u-1"]' }),
      'Group',
      MEMBERS,
    );
    expect(deferredChanges).toEqual([{ attribute: 'members', op: 'remove', values: [{ value: 'u-1' }] }]);
  });
});

describe('applyPatch: Entra (SCIM-DIALECTS.md)', () => {
  it('applies the documented capitalised operations in order', () => {
    const { resource, changedAttributes } = patchUser(
      { ...user, emails: [{ value: 'ann@home.example', type: 'home' }] },
      { op: 'Replace', path: 'displayName', value: 'New Name' },
      { op: 'Add', path: 'emails[type eq "work"].value', value: 'new@contoso.com' },
      { op: 'Replace', path: 'name.familyName', value: 'Changed' },
      { op: 'Add', path: `${ENT}:manager`, value: 'm-2' },
      { op: 'Replace', path: 'active', value: 'False' },
    );
    expect(resource.displayName).toBe('New Name');
    expect(resource.emails).toEqual([
      { value: 'ann@home.example', type: 'home' },
      { type: 'work', value: 'new@contoso.com' },
    ]);
    expect(resource.name).toEqual({ givenName: 'Ann', middleName: 'J', familyName: 'Changed' });
    expect(resource[ENT]).toEqual({ department: 'R&D', manager: { value: 'm-2' } });
    expect(resource.active).toBe(false);
    expect(changedAttributes).toEqual(['name', 'displayName', 'active', 'emails', `${ENT}:manager`]);
  });

  it('sets the value of an existing work email', () => {
    const { resource } = patchUser(user, { op: 'Add', path: 'emails[type eq "work"].value', value: 'new@contoso.com' });
    expect(resource.emails).toEqual([
      { value: 'new@contoso.com', type: 'work', primary: true },
      { value: 'ann@home.example', type: 'home' },
    ]);
  });

  it('removes the manager, then drops the empty extension and its URN from schemas', () => {
    const start = { ...user, [ENT]: { manager: { value: 'm-1' } } };
    const { resource, changedAttributes } = patchUser(start, { op: 'Remove', path: `${ENT}:manager` });
    expect(resource[ENT]).toBeUndefined();
    expect(resource.schemas).toEqual([USER]);
    expect(changedAttributes).toEqual([`${ENT}:manager`]);
  });

  it('adds the extension URN to schemas when the first extension attribute arrives', () => {
    const { resource } = patchUser(bareUser, { op: 'Add', path: `${ENT}:manager`, value: 'm-2' });
    expect(resource).toEqual({
      schemas: [USER, ENT],
      id: 'u-2',
      userName: 'bob',
      [ENT]: { manager: { value: 'm-2' } },
    });
  });

  it('applies path-less dotted and URN-qualified keys', () => {
    const { resource } = patchUser(user, {
      op: 'Replace',
      value: {
        'name.givenName': 'Ann-Marie',
        [`${ENT}:department`]: 'Sales',
        'emails[type eq "work"].value': 'am@contoso.com',
      },
    });
    expect(resource.name).toEqual({ givenName: 'Ann-Marie', middleName: 'J', familyName: 'Lee' });
    expect(resource[ENT]).toEqual({ department: 'Sales', manager: { value: 'm-1' } });
    expect((resource.emails as Array<{ value: string }>)[0].value).toBe('am@contoso.com');
  });

  it.each([
    ['"True"', 'True', true],
    ['"false"', 'false', false],
    ['a real boolean (?aadOptscim062020)', false, false],
  ])('coerces active from %s', (_label, value, expected) => {
    expect(patchUser(user, { op: 'Replace', path: 'active', value }).resource.active).toBe(expected);
  });

  it.each([
    ['Add', 'add', [{ value: 'u-9' }]],
    ['Remove', 'remove', [{ value: 'u-1' }]],
  ])('%s members with a value list is a deferred %s of only those members', (op, expectedOp, values) => {
    const { deferredChanges } = applyPatch(group, message({ op, path: 'members', value: values }), 'Group', MEMBERS);
    expect(deferredChanges).toEqual([{ attribute: 'members', op: expectedOp, values }]);
  });

  it('removes only the listed members when members are kept in the resource', () => {
    const start = { ...group, members: [{ value: 'u-1' }, { value: 'u-2' }, { value: 'u-3' }] };
    const { resource } = applyPatch(
      start,
      message({ op: 'Remove', path: 'members', value: [{ value: 'u-2' }] }),
      'Group',
    );
    expect(resource.members).toEqual([{ value: 'u-1' }, { value: 'u-3' }]);
  });
});

describe('applyPatch: RFC 7644 §3.5.2 semantics', () => {
  it.each([
    [
      'add to a multi-valued attribute appends',
      { op: 'add', path: 'emails', value: [{ value: 'x@y', type: 'other' }] },
      'emails',
      [...(user.emails as unknown[]), { value: 'x@y', type: 'other' }],
    ],
    [
      'add of a value already present changes nothing (case-insensitive)',
      { op: 'add', path: 'emails', value: [{ value: 'ANN@home.example', type: 'home' }] },
      'emails',
      user.emails,
    ],
    [
      'add of a single object to a multi-valued attribute',
      { op: 'add', path: 'emails', value: { value: 'x@y' } },
      'emails',
      [...(user.emails as unknown[]), { value: 'x@y' }],
    ],
    [
      'replace of a multi-valued attribute replaces the array',
      { op: 'replace', path: 'emails', value: [{ value: 'only@y' }] },
      'emails',
      [{ value: 'only@y' }],
    ],
    ['replace with an empty array unassigns', { op: 'replace', path: 'emails', value: [] }, 'emails', undefined],
    ['add to a single-valued attribute replaces', { op: 'add', path: 'displayName', value: 'X' }, 'displayName', 'X'],
    ['replace with null unassigns', { op: 'replace', path: 'displayName', value: null }, 'displayName', undefined],
    [
      'add to a complex attribute merges',
      { op: 'add', path: 'name', value: { honorificPrefix: 'Dr.' } },
      'name',
      { givenName: 'Ann', middleName: 'J', familyName: 'Lee', honorificPrefix: 'Dr.' },
    ],
    [
      'replace of a sub-attribute',
      { op: 'replace', path: 'NAME.GIVENNAME', value: 'A' },
      'name',
      { givenName: 'A', middleName: 'J', familyName: 'Lee' },
    ],
    [
      'remove of a sub-attribute',
      { op: 'remove', path: 'name.middleName' },
      'name',
      { givenName: 'Ann', familyName: 'Lee' },
    ],
    [
      'remove of the last sub-attribute unassigns the attribute',
      { op: 'remove', path: 'addresses[type eq "work"]' },
      'addresses',
      undefined,
    ],
    [
      'replace through a filter and sub-attribute',
      { op: 'replace', path: 'addresses[type eq "work"].locality', value: 'Amsterdam' },
      'addresses',
      [{ type: 'work', locality: 'Amsterdam', country: 'NL' }],
    ],
    [
      'replace of a filtered element merges it',
      { op: 'replace', path: 'emails[type eq "home"]', value: { value: 'h@y' } },
      'emails',
      [user.emails && (user.emails as unknown[])[0], { value: 'h@y', type: 'home' }],
    ],
    [
      'remove through a value filter',
      { op: 'remove', path: 'emails[type eq "home"]' },
      'emails',
      [(user.emails as unknown[])[0]],
    ],
    [
      'remove of a sub-attribute through a filter',
      { op: 'remove', path: 'emails[type eq "work"].primary' },
      'emails',
      [{ value: 'ann@example.com', type: 'work' }, (user.emails as unknown[])[1]],
    ],
    [
      'remove through a filter matching nothing changes nothing',
      { op: 'remove', path: 'emails[type eq "other"]' },
      'emails',
      user.emails,
    ],
    [
      'remove of a sub-attribute on all values',
      { op: 'remove', path: 'emails.type' },
      'emails',
      [{ value: 'ann@example.com', primary: true }, { value: 'ann@home.example' }],
    ],
    ['remove of a whole multi-valued attribute', { op: 'remove', path: 'emails' }, 'emails', undefined],
    ['a URN-qualified core path', { op: 'replace', path: `${USER}:displayName`, value: 'Q' }, 'displayName', 'Q'],
    [
      'a value filter on a string compared case-insensitively',
      { op: 'replace', path: 'emails[type eq "WORK"].display', value: 'W' },
      'emails',
      [{ value: 'ann@example.com', type: 'work', primary: true, display: 'W' }, (user.emails as unknown[])[1]],
    ],
    [
      'an add with an and-filter creates the element it describes',
      { op: 'add', path: 'phoneNumbers[type eq "mobile" and primary eq true].value', value: '+31 6' },
      'phoneNumbers',
      [{ type: 'mobile', primary: true, value: '+31 6' }],
    ],
  ])('%s', (_label, operation, attribute, expected) => {
    expect(patchUser(user, operation).resource[attribute]).toEqual(expected);
  });

  it.each([
    [
      'a new primary email demotes the old one',
      { op: 'add', path: 'emails', value: [{ value: 'n@y', primary: true }] },
      [false, undefined, true],
    ],
    [
      'a primary set through a filter demotes the others',
      { op: 'replace', path: 'emails[type eq "home"].primary', value: 'True' },
      [false, true],
    ],
    [
      '"primary": false leaves the primary alone',
      { op: 'add', path: 'emails', value: [{ value: 'n@y', primary: false }] },
      [true, undefined, false],
    ],
  ])('%s (RFC 7644 §3.5.2)', (_label, operation, primaries) => {
    const emails = patchUser(user, operation).resource.emails as Array<{ primary?: boolean }>;
    expect(emails.map((email) => email.primary)).toEqual(primaries);
  });

  it('accepts an extension URN as path for add and remove', () => {
    const added = patchUser(bareUser, {
      op: 'add',
      path: ENT,
      value: { Department: 'Ops', manager: 'm-3', nosuch: 1 },
    }).resource;
    expect(added[ENT]).toEqual({ department: 'Ops', manager: { value: 'm-3' } });
    const removed = patchUser(added, { op: 'remove', path: ENT }).resource;
    expect(removed).toEqual({ schemas: [USER], id: 'u-2', userName: 'bob' });
  });

  it('accepts a path-less value with the extension as a nested object', () => {
    const { resource } = patchUser(user, { op: 'add', value: { [ENT]: { costCenter: 'CC1' }, schemas: [USER] } });
    expect(resource[ENT]).toEqual({ department: 'R&D', manager: { value: 'm-1' }, costCenter: 'CC1' });
  });

  it('ignores unknown keys of a path-less value, as a POST body does', () => {
    const { resource, changedAttributes } = patchUser(user, {
      op: 'replace',
      value: { favouriteColour: 'red', 'name.nosuch': 1, Title: 'Boss' },
    });
    expect(resource.title).toBe('Boss');
    expect(resource.favouriteColour).toBeUndefined();
    expect(changedAttributes).toEqual(['title']);
  });

  it('reports no change for a no-op', () => {
    expect(
      patchUser(user, { op: 'add', path: 'emails', value: [{ value: 'ann@example.com', type: 'work', primary: true }] })
        .changedAttributes,
    ).toEqual([]);
  });

  it.each([
    ['the Operations array alone', [{ op: 'replace', path: 'title', value: 'T' }]],
    ['lower-case "operations"', { operations: [{ op: 'replace', path: 'title', value: 'T' }] }],
    ['capitalised member names', { Operations: [{ Op: 'REPLACE', Path: 'title', Value: 'T' }] }],
  ])('accepts %s', (_label, body) => {
    expect(applyPatch(user, body, 'User').resource.title).toBe('T');
  });

  it('does not mutate its input', () => {
    const copy = structuredClone(user);
    patchUser(
      copy,
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'z@z' },
      { op: 'remove', path: 'name.givenName' },
      { op: 'remove', path: `${ENT}:manager` },
    );
    expect(copy).toEqual(user);
  });
});

describe('applyPatch: deferred multi-valued attributes (Group members)', () => {
  function groupPatch(...operations: unknown[]) {
    return applyPatch(group, message(...operations), 'Group', MEMBERS);
  }

  it.each([
    [
      'replace of members sets the whole list',
      { op: 'replace', path: 'members', value: [{ value: 'a' }, { value: 'b' }] },
      { op: 'replace', values: [{ value: 'a' }, { value: 'b' }] },
    ],
    [
      'replace of members with null clears it',
      { op: 'replace', path: 'members', value: null },
      { op: 'replace', values: [] },
    ],
    [
      'remove of members without a value clears it (RFC 7644 §3.5.2.2)',
      { op: 'remove', path: 'members' },
      { op: 'replace', values: [] },
    ],
    [
      'remove by an or of value filters',
      { op: 'remove', path: 'members[value eq "a" or value eq "b"]' },
      { op: 'remove', values: [{ value: 'a' }, { value: 'b' }] },
    ],
    [
      'remove by another filter returns the filter',
      { op: 'remove', path: 'members[type eq "Group"]' },
      { op: 'remove', filter: { kind: 'compare', path: { attribute: 'type' }, op: 'eq', value: 'Group' } },
    ],
    ['path-less add', { op: 'add', value: { members: [{ value: 'a' }] } }, { op: 'add', values: [{ value: 'a' }] }],
    [
      'a single member object',
      { op: 'add', path: 'members', value: { value: 'a' } },
      { op: 'add', values: [{ value: 'a' }] },
    ],
    [
      'capitalised path',
      { op: 'Add', path: 'Members', value: [{ Value: 'a' }] },
      { op: 'add', values: [{ value: 'a' }] },
    ],
  ])('%s', (_label, operation, change) => {
    const { resource, deferredChanges } = groupPatch(operation);
    expect(resource).toEqual(group);
    expect(deferredChanges).toEqual([{ attribute: 'members', ...change }]);
  });

  it('returns changes in request order, alongside changes to the group itself', () => {
    const { resource, deferredChanges, changedAttributes } = groupPatch(
      { op: 'replace', value: { id: 'g-1', displayName: 'Renamed' } },
      { op: 'add', path: 'members', value: [{ value: 'a' }] },
      { op: 'remove', path: 'members', value: [{ value: 'u-1' }] },
    );
    expect(resource.displayName).toBe('Renamed');
    expect(changedAttributes).toEqual(['displayName']);
    expect(deferredChanges.map((change) => change.op)).toEqual(['add', 'remove']);
  });

  it.each([
    ['a member without a value', { op: 'add', path: 'members', value: [{ display: 'x' }] }, 'invalidValue'],
    ['a member value of the wrong type', { op: 'add', path: 'members', value: [{ value: 5 }] }, 'invalidValue'],
    ['editing a member in place', { op: 'replace', path: 'members[value eq "u-1"].display', value: 'x' }, 'mutability'],
    [
      'replacing a member through a filter',
      { op: 'replace', path: 'members[value eq "u-1"]', value: { value: 'x' } },
      'mutability',
    ],
  ])('rejects %s', (_label, operation, scimType) => {
    expect(() => groupPatch(operation)).toThrow(expect.objectContaining({ scimType }));
  });
});

describe('applyPatch: errors leave the input unchanged', () => {
  it.each([
    ['replace of id with another id', { op: 'replace', value: { id: 'other' } }, 'mutability'],
    ['replace of id by path', { op: 'replace', path: 'id', value: 'other' }, 'mutability'],
    ['remove of id', { op: 'remove', path: 'id' }, 'mutability'],
    ['replace of meta', { op: 'replace', path: 'meta', value: { resourceType: 'User' } }, 'mutability'],
    ['replace of meta.created', { op: 'replace', path: 'meta.created', value: '2020-01-01T00:00:00Z' }, 'mutability'],
    ['add to groups', { op: 'add', path: 'groups', value: [{ value: 'g' }] }, 'mutability'],
    ['path-less groups', { op: 'add', value: { groups: [] } }, 'mutability'],
    [
      'replace of manager.displayName',
      { op: 'replace', path: `${ENT}:manager.displayName`, value: 'Boss' },
      'mutability',
    ],
    ['remove of userName (RFC 7644 §3.5.2.2)', { op: 'remove', path: 'userName' }, 'mutability'],
    ['replace of userName with null', { op: 'replace', path: 'userName', value: null }, 'invalidValue'],
    ['an unknown attribute', { op: 'replace', path: 'nosuch', value: 1 }, 'invalidPath'],
    ['an unknown sub-attribute', { op: 'replace', path: 'name.nosuch', value: 1 }, 'invalidPath'],
    ['an extension attribute without its URN', { op: 'replace', path: 'department', value: 'x' }, 'invalidPath'],
    ['an unknown extension attribute', { op: 'replace', path: `${ENT}:nosuch`, value: 'x' }, 'invalidPath'],
    ['a malformed path', { op: 'replace', path: 'emails..value', value: 'x' }, 'invalidPath'],
    ['a path that is not a string', { op: 'replace', path: 7, value: 'x' }, 'invalidPath'],
    ['an empty path', { op: 'remove', path: '' }, 'invalidPath'],
    ['a malformed value filter', { op: 'replace', path: 'emails[type eq].value', value: 'x' }, 'invalidFilter'],
    [
      'a value filter on a single-valued complex attribute',
      { op: 'replace', path: 'name[givenName eq "Ann"].familyName', value: 'x' },
      'invalidPath',
    ],
    ['a value filter on a simple attribute', { op: 'remove', path: 'userName[value eq "x"]' }, 'invalidPath'],
    [
      'a sub-attribute of a multi-valued attribute without a filter',
      { op: 'replace', path: 'emails.value', value: 'x' },
      'invalidPath',
    ],
    ['userName of the wrong type', { op: 'replace', path: 'userName', value: 5 }, 'invalidValue'],
    ['active "maybe"', { op: 'replace', path: 'active', value: 'maybe' }, 'invalidValue'],
    ['path-less active "maybe"', { op: 'replace', value: { active: 'maybe' } }, 'invalidValue'],
    ['emails a string', { op: 'replace', path: 'emails', value: 'x' }, 'invalidValue'],
    [
      'two primary emails in one value',
      {
        op: 'add',
        path: 'emails',
        value: [
          { value: 'a', primary: true },
          { value: 'b', primary: true },
        ],
      },
      'invalidValue',
    ],
    [
      'a primary set on two filtered values',
      { op: 'replace', path: 'emails[value pr].primary', value: true },
      'invalidValue',
    ],
    ['add without a value', { op: 'add', path: 'title' }, 'invalidValue'],
    ['replace without a value', { op: 'replace', path: 'title' }, 'invalidValue'],
    ['add of null', { op: 'add', path: 'title', value: null }, 'invalidValue'],
    ['a path-less value that is not an object', { op: 'replace', value: 'x' }, 'invalidValue'],
    ['remove without a path (RFC 7644 §3.5.2.2)', { op: 'remove' }, 'noTarget'],
    [
      'replace through a filter matching nothing (RFC 7644 §3.5.2.3)',
      { op: 'replace', path: 'emails[type eq "other"].value', value: 'x' },
      'noTarget',
    ],
    [
      'add through a filter that describes no element',
      { op: 'add', path: 'emails[value co "zzz"].type', value: 'work' },
      'noTarget',
    ],
    ['an unknown op', { op: 'move', path: 'title', value: 'x' }, 'invalidSyntax'],
    ['a missing op', { path: 'title', value: 'x' }, 'invalidSyntax'],
    ['an operation that is not an object', 'replace', 'invalidSyntax'],
  ])('%s → %s', (_label, operation, scimType) => {
    const copy = structuredClone(user);
    let thrown: unknown;
    try {
      patchUser(copy, operation);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ScimError);
    expect(thrown).toMatchObject({ status: 400, scimType });
    expect(copy).toEqual(user);
  });

  it.each([
    ['no Operations', { schemas: [SCIM_PATCH_OP_SCHEMA] }],
    ['Operations not an array', { Operations: { op: 'add' } }],
    ['Operations empty', { Operations: [] }],
    ['a body that is not an object', 'x'],
    ['a null body', null],
  ])('%s → invalidSyntax (RFC 7644 §3.5.2)', (_label, body) => {
    expect(() => applyPatch(user, body, 'User')).toThrow(
      expect.objectContaining({ status: 400, scimType: 'invalidSyntax' }),
    );
  });

  it('applies nothing when a later operation fails (atomic, RFC 7644 §3.5.2)', () => {
    const copy = structuredClone(user);
    expect(() =>
      patchUser(copy, { op: 'replace', path: 'displayName', value: 'Changed' }, { op: 'remove', path: 'userName' }),
    ).toThrow(ScimError);
    expect(copy).toEqual(user);
  });

  it('refuses more operations than the limit with 413', () => {
    const operations = Array.from({ length: 3 }, () => ({ op: 'replace', path: 'title', value: 'T' }));
    expect(() => applyPatch(user, { Operations: operations }, 'User', { maxOperations: 2 })).toThrow(
      expect.objectContaining({ status: 413 }),
    );
    expect(applyPatch(user, { Operations: operations }, 'User', { maxOperations: 3 }).resource.title).toBe('T');
  });

  it('refuses to edit an immutable member sub-attribute when members are kept in the resource', () => {
    expect(() =>
      applyPatch(group, message({ op: 'replace', path: 'members[value eq "u-1"].display', value: 'x' }), 'Group'),
    ).toThrow(expect.objectContaining({ scimType: 'mutability' }));
  });
});
