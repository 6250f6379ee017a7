import { parseInput } from '../errors/parse-input';
import { groupRoleRulesInput, listTenantUsersQuery, setRolesInput, setTeamsInput } from './access.input';

describe('setRolesInput', () => {
  it('trims, and keeps each role once in the order given', () => {
    expect(parseInput(setRolesInput, { roles: [' admin ', 'billing:read', 'admin', 'v1.viewer_x-y'] })).toEqual({
      roles: ['admin', 'billing:read', 'v1.viewer_x-y'],
    });
  });

  it('accepts an empty list (revokes every role)', () => {
    expect(parseInput(setRolesInput, { roles: [] })).toEqual({ roles: [] });
  });

  it.each([
    ['not an object', 'admin', /./],
    ['no roles', {}, /roles/],
    ['not a list', { roles: 'admin' }, /roles: must be a list of role names/],
    ['a number', { roles: [1] }, /roles\.0: must be a string/],
    ['a blank name', { roles: ['  '] }, /roles\.0: must not be empty/],
    ['a space inside', { roles: ['team admin'] }, /roles\.0: must start with a letter or digit/],
    ['a leading dash', { roles: ['-admin'] }, /roles\.0: must start with a letter or digit/],
    ['a long name', { roles: ['a'.repeat(101)] }, /roles\.0: must be at most 100 characters/],
    ['too many', { roles: Array.from({ length: 101 }, (_, n) => `r${n}`) }, /roles: at most 100 roles/],
    ['an unknown field', { roles: [], extra: true }, /extra/],
  ])('refuses %s', (_case, body: unknown, message: RegExp) => {
    expect(() => parseInput(setRolesInput, body)).toThrow(message);
  });
});

describe('setTeamsInput', () => {
  it('names teams in its messages', () => {
    expect(() => parseInput(setTeamsInput, { teams: 'core' })).toThrow(/teams: must be a list of team names/);
  });
});

describe('groupRoleRulesInput', () => {
  it('keeps rules in order, group names trimmed and as spelt', () => {
    expect(
      parseInput(groupRoleRulesInput, {
        rules: [
          { group: ' Finance Team ', roles: ['billing', 'billing'] },
          { group: 'Admins', roles: ['admin'] },
        ],
      }),
    ).toEqual({
      rules: [
        { group: 'Finance Team', roles: ['billing'] },
        { group: 'Admins', roles: ['admin'] },
      ],
    });
  });

  it.each([
    [
      'a rule without roles',
      { rules: [{ group: 'Admins', roles: [] }] },
      /rules\.0\.roles: must name at least one role/,
    ],
    ['a blank group', { rules: [{ group: ' ', roles: ['admin'] }] }, /rules\.0\.group: must not be empty/],
    ['a control character', { rules: [{ group: 'a\u0000b', roles: ['admin'] }] }, /control characters/],
    [
      'one group twice, in another case',
      {
        rules: [
          { group: 'Admins', roles: ['admin'] },
          { group: 'ADMINS ', roles: ['viewer'] },
        ],
      },
      /rules\.1\.group: "ADMINS" repeats the group of rule 0/,
    ],
    ['not a list', { rules: { Admins: ['admin'] } }, /rules: must be a list of \{group, roles\}/],
  ])('refuses %s', (_case, body: unknown, message: RegExp) => {
    expect(() => parseInput(groupRoleRulesInput, body)).toThrow(message);
  });
});

describe('listTenantUsersQuery', () => {
  it('defaults the page size and drops an empty search', () => {
    expect(parseInput(listTenantUsersQuery, { q: ' ' })).toEqual({ limit: 50 });
  });

  it.each([
    [{ limit: '0' }, /limit/],
    [{ limit: '201' }, /limit/],
    [{ cursor: 'nope' }, /cursor/],
    [{ page: '2' }, /page/],
  ])('refuses %j', (query: unknown, message: RegExp) => {
    expect(() => parseInput(listTenantUsersQuery, query)).toThrow(message);
  });
});
