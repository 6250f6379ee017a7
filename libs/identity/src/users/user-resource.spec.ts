import { MAX_INDEXED_LENGTH, passwordOf, toScimUser, toUserWrite } from './user-resource';
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

  it('treats a user provisioned without active as active', () => {
    expect(toUserWrite({ userName: 'a' }).active).toBe(true);
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
      id: row.id,
      groups: [
        { value: 'g-1', display: 'Engineering', $ref: 'https://scim.example/scim/v2/Groups/g-1', type: 'direct' },
      ],
      meta: {
        resourceType: 'User',
        created: '2026-01-01T00:00:00.000Z',
        lastModified: '2026-01-02T00:00:00.000Z',
        location: `https://scim.example/scim/v2/Users/${row.id}`,
        version: 'W/"4"',
      },
    });
  });
});
