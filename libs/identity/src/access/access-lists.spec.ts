import { effectiveRoles, groupNamesOf, sameMembers } from './access-lists';

describe('effectiveRoles', () => {
  it('puts granted roles first, then derived ones, each once', () => {
    expect(effectiveRoles(['admin', 'viewer'], ['viewer', 'developer'])).toEqual(['admin', 'viewer', 'developer']);
  });
});

describe('sameMembers', () => {
  it.each([
    [[], [], true],
    [['a', 'b'], ['b', 'a'], true],
    [['a', 'a'], ['a'], true],
    [['a'], ['A'], false],
    [['a'], ['a', 'b'], false],
    [['a', 'b'], ['a', 'c'], false],
  ])('%j and %j: %s', (a: string[], b: string[], expected: boolean) => {
    expect(sameMembers(a, b)).toBe(expected);
  });
});

describe('groupNamesOf', () => {
  it('merges sources, keeping the first spelling of each group', () => {
    expect(groupNamesOf(['Engineering', 'Admins'], ['ADMINS', 'Finance'])).toEqual([
      'Engineering',
      'Admins',
      'Finance',
    ]);
  });

  it('ignores what is not a group name', () => {
    expect(groupNamesOf([' Ops ', '', '   ', 42, null, { name: 'x' }])).toEqual(['Ops']);
  });
});
