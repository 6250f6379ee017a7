import { toDirectoryGroup, toDirectoryUser } from './directory.views';

const times = { created_at: new Date('2026-01-01T00:00:00.000Z'), updated_at: new Date('2026-01-02T00:00:00.000Z') };

describe('directory views', () => {
  it('shows a user with the primary email, the name parts and the effective roles', () => {
    expect(
      toDirectoryUser({
        id: 'u1',
        tenant: 'acme',
        external_id: '00u1',
        user_name: 'ann@acme.com',
        emails: [{ value: 'other@acme.com' }, { value: 'ann@acme.com', primary: true }],
        name: { givenName: 'Ann', familyName: 'Lee' },
        active: true,
        roles: ['admin'],
        rule_roles: ['viewer', 'admin'],
        teams: ['core'],
        sequence: '7',
        ...times,
      }),
    ).toEqual({
      id: 'u1',
      tenant: 'acme',
      externalId: '00u1',
      userName: 'ann@acme.com',
      email: 'ann@acme.com',
      name: { givenName: 'Ann', familyName: 'Lee', formatted: 'Ann Lee' },
      active: true,
      roles: ['admin', 'viewer'],
      teams: ['core'],
      sequence: 7,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-02T00:00:00.000Z',
    });
  });

  it('shows nulls for what a user lacks', () => {
    const user = toDirectoryUser({
      id: 'u2',
      tenant: 'acme',
      external_id: null,
      user_name: 'bob',
      emails: undefined,
      name: null,
      active: false,
      roles: [],
      rule_roles: [],
      teams: [],
      sequence: '0',
      ...times,
    });
    expect(user).toMatchObject({ email: null, name: { givenName: null, familyName: null, formatted: null } });
  });

  it('shows a group with its member count, never its members', () => {
    expect(
      toDirectoryGroup({
        id: 'g1',
        tenant: 'acme',
        external_id: null,
        display_name: 'Engineering',
        member_count: '50000',
        sequence: '3',
        ...times,
      }),
    ).toEqual({
      id: 'g1',
      tenant: 'acme',
      externalId: null,
      displayName: 'Engineering',
      memberCount: 50000,
      sequence: 3,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-02T00:00:00.000Z',
    });
  });
});
