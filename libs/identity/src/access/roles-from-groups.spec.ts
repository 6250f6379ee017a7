import { rolesFromGroups } from './roles-from-groups';

describe('rolesFromGroups', () => {
  const rules = [
    { group: 'Engineering', roles: ['developer', 'viewer'] },
    { group: 'Admins', roles: ['admin', 'viewer'] },
    { group: 'Finance Team', roles: ['billing'] },
  ];

  it.each([
    ['no groups', [], []],
    ['no matching group', ['Marketing'], []],
    ['one group', ['Engineering'], ['developer', 'viewer']],
    ['a group spelt in another case', ['engineering'], ['developer', 'viewer']],
    ['a name with spaces', ['FINANCE TEAM'], ['billing']],
    [
      'roles of several rules, each once, in the rules order',
      ['Admins', 'Engineering'],
      ['developer', 'viewer', 'admin'],
    ],
    ['a group named twice', ['Admins', 'ADMINS'], ['admin', 'viewer']],
  ])('%s', (_case, groups: string[], expected: string[]) => {
    expect(rolesFromGroups(rules, groups)).toEqual(expected);
  });

  it('matches nothing without rules', () => {
    expect(rolesFromGroups([], ['Engineering'])).toEqual([]);
  });

  it('does not match a prefix or a substring', () => {
    expect(rolesFromGroups(rules, ['Engineer', 'Engineering-EU'])).toEqual([]);
  });
});
