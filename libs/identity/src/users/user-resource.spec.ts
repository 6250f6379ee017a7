import { createHash } from 'node:crypto';
import { MAX_INDEXED_LENGTH, passwordOf, toScimUser, toUserWrite, userEntityTag, withActive } from './user-resource';
import { applyPatch } from '../scim/patch/patch.engine';
import type { UserRow } from './user-row';

describe('user resources', () => {
  const resource = {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    id: 'ignored',
    meta: { resourceType: 'User' },
    userName: 'ann@x.com',
    externalId: '00u1',
    active: false,
    password: 'secret',
    groups: [{ value: 'g1' }],
    emails: [{ value: 'Ann@X.com', type: 'work' }],
  };

  it('stores the resource without id, meta, password and groups, and derives the columns', () => {
    const write = toUserWrite(resource);
    expect(write).toEqual({
      userName: 'ann@x.com',
      externalId: '00u1',
      active: false,
      resource: {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'ann@x.com',
        externalId: '00u1',
        active: false,
        emails: [{ value: 'Ann@X.com', type: 'work' }],
      },
    });
    expect(JSON.stringify(write)).not.toContain('secret');
  });

  it('stores a user provisioned without active as active, in the column and the document alike', () => {
    const write = toUserWrite({ userName: 'a' });
    expect(write.active).toBe(true);
    expect(write.resource['active']).toBe(true);
  });

  describe('withActive', () => {
    it.each([true, false])('keeps an assigned active (%p) whatever the default', (active) => {
      expect(withActive({ userName: 'a', active }, !active)).toEqual({ userName: 'a', active });
    });

    it.each([true, false])('settles an unassigned active to %p', (whenUnassigned) => {
      const resource = { userName: 'a' };
      expect(withActive(resource, whenUnassigned)).toEqual({ userName: 'a', active: whenUnassigned });
      expect(resource).toEqual({ userName: 'a' });
    });

    // What UsersService.patch does: the engine unassigns, the user rule settles.
    const patched = (operation: Record<string, unknown>): unknown =>
      withActive(applyPatch({ userName: 'a', active: true }, { Operations: [operation] }, 'User').resource, false)[
        'active'
      ];
    it.each([
      ['remove of active', { op: 'remove', path: 'active' }, false],
      ['replace of active with null', { op: 'replace', path: 'active', value: null }, false],
      ['path-less replace with active null', { op: 'replace', value: { active: null } }, false],
      ['replace of active with true', { op: 'replace', path: 'active', value: true }, true],
      ['add of active "False" (Entra)', { op: 'Add', path: 'active', value: 'False' }, false],
      ['a change elsewhere', { op: 'replace', path: 'displayName', value: 'A' }, true],
    ])('a PATCH with %s settles active as expected', (_case, operation, expected) => {
      expect(patched(operation)).toBe(expected);
    });

    it('treats null as unassigned (RFC 7643 §2.5)', () => {
      expect(withActive({ userName: 'a', active: null }, false)).toEqual({ userName: 'a', active: false });
    });
  });

  it('finds the password of a request', () => {
    expect(passwordOf(resource)).toBe('secret');
    expect(passwordOf({ userName: 'a' })).toBeUndefined();
  });

  it.each([
    ['userName', { userName: 'a'.repeat(MAX_INDEXED_LENGTH + 1) }],
    ['externalId', { userName: 'a', externalId: 'x'.repeat(MAX_INDEXED_LENGTH + 1) }],
    ['emails.value', { userName: 'a', emails: [{ value: `${'x'.repeat(MAX_INDEXED_LENGTH)}@x.com` }] }],
  ])('refuses a %s too long to index with invalidValue', (name, input) => {
    expect(() => toUserWrite(input)).toThrow(
      expect.objectContaining({ scimType: 'invalidValue', detail: expect.stringContaining(name) }),
    );
  });

  describe('userEntityTag', () => {
    const group = (value: string): { value: string; display: string } => ({ value, display: value });
    const a = '0b9a2c8e-0000-4000-8000-000000000001';
    const b = '0b9a2c8e-0000-4000-8000-000000000002';

    it('is the version alone for a user in no group', () => {
      expect(userEntityTag({ version: 7, groups: [] })).toBe('W/"7"');
    });

    it('changes when the user joins or leaves a group, not with the order groups are listed in', () => {
      const one = userEntityTag({ version: 7, groups: [group(a)] });
      const two = userEntityTag({ version: 7, groups: [group(a), group(b)] });
      expect(one).toMatch(/^W\/"7\.[0-9a-f]{8}"$/);
      expect(new Set([userEntityTag({ version: 7, groups: [] }), one, two]).size).toBe(3);
      expect(userEntityTag({ version: 7, groups: [group(b), group(a)] })).toBe(two);
      expect(userEntityTag({ version: 7, groups: [{ value: a, display: 'renamed' }] })).toBe(one);
    });
  });

  it('shows the active column, also over a document that disagrees or lacks it', () => {
    const row = {
      id: 'u',
      tenant_id: 't',
      user_name: 'a',
      external_id: null,
      resource: { userName: 'a', active: true },
      password_hash: null,
      version: 1,
      created_at: new Date(0),
      updated_at: new Date(0),
      groups: [],
    };
    expect(toScimUser({ ...row, active: false }, 'https://s')['active']).toBe(false);
    expect(toScimUser({ ...row, active: true, resource: { userName: 'a' } }, 'https://s')['active']).toBe(true);
  });

  it('adds id and meta to a stored row', () => {
    const row: UserRow = {
      id: '2819c223-7f76-453a-919d-413861904646',
      tenant_id: 't',
      user_name: 'ann@x.com',
      external_id: null,
      active: true,
      resource: { userName: 'ann@x.com' },
      password_hash: '$argon2id$…',
      version: 4,
      created_at: new Date('2026-01-01T00:00:00.000Z'),
      updated_at: new Date('2026-01-02T00:00:00.000Z'),
      groups: [{ value: 'g-1', display: 'Engineering' }],
    };
    expect(toScimUser(row, 'https://scim.example/scim/v2')).toEqual({
      userName: 'ann@x.com',
      active: true,
      id: row.id,
      groups: [
        { value: 'g-1', display: 'Engineering', $ref: 'https://scim.example/scim/v2/Groups/g-1', type: 'direct' },
      ],
      meta: {
        resourceType: 'User',
        created: '2026-01-01T00:00:00.000Z',
        lastModified: '2026-01-02T00:00:00.000Z',
        location: `https://scim.example/scim/v2/Users/${row.id}`,
        version: `W/"4.${createHash('md5').update('g-1').digest('hex').slice(0, 8)}"`,
      },
    });
  });
});
