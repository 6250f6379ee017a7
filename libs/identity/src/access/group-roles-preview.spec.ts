import { PreviewSubject, previewGroupRoles } from './group-roles-preview';

const user = (id: string, groups: string[], granted: string[] = []): PreviewSubject => ({
  id,
  userName: `${id}@acme.example`,
  granted,
  groups,
});

describe('previewGroupRoles', () => {
  it('counts the users who gain and lose each role, and lists them', () => {
    const preview = previewGroupRoles(
      [user('ann', ['Engineering']), user('bob', ['Engineering', 'Admins']), user('cy', ['Sales'])],
      [{ group: 'Admins', roles: ['admin'] }],
      [{ group: 'engineering', roles: ['editor'] }],
    );
    expect(preview.summary).toEqual([
      { role: 'admin', gain: 0, lose: 1 },
      { role: 'editor', gain: 2, lose: 0 },
    ]);
    expect(preview.users).toEqual([
      { id: 'ann', userName: 'ann@acme.example', gains: ['editor'], loses: [] },
      { id: 'bob', userName: 'bob@acme.example', gains: ['editor'], loses: ['admin'] },
    ]);
  });

  it('never counts a role granted by hand as gained or lost', () => {
    const preview = previewGroupRoles(
      [user('ann', ['Admins'], ['admin']), user('bob', ['Editors'], ['editor'])],
      [{ group: 'Admins', roles: ['admin'] }],
      [{ group: 'Editors', roles: ['editor'] }],
    );
    expect(preview).toEqual({ summary: [], users: [] });
  });

  it('keeps a role another rule still grants', () => {
    const preview = previewGroupRoles(
      [user('ann', ['A', 'B'])],
      [
        { group: 'A', roles: ['viewer'] },
        { group: 'B', roles: ['viewer'] },
      ],
      [{ group: 'B', roles: ['viewer'] }],
    );
    expect(preview).toEqual({ summary: [], users: [] });
  });

  it('changes nothing when the rules stay the same, or for users in no group', () => {
    const rules = [{ group: 'Admins', roles: ['admin', 'editor'] }];
    expect(previewGroupRoles([user('ann', ['admins']), user('bob', [])], rules, rules)).toEqual({
      summary: [],
      users: [],
    });
  });

  it('takes every role away when the rules are emptied', () => {
    const preview = previewGroupRoles([user('ann', ['Admins'])], [{ group: 'Admins', roles: ['admin', 'editor'] }], []);
    expect(preview.summary).toEqual([
      { role: 'admin', gain: 0, lose: 1 },
      { role: 'editor', gain: 0, lose: 1 },
    ]);
  });
});
