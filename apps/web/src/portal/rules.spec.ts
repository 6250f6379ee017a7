import { toRules } from './rules';

describe('toRules', () => {
  it('drops empty rows, trims group names and splits roles on commas and spaces', () => {
    expect(
      toRules([
        { group: '  Engineering ', roles: 'editor, billing  viewer,' },
        { group: '', roles: '  ' },
        { group: 'Admins', roles: 'admin' },
      ]),
    ).toEqual([
      { group: 'Engineering', roles: ['editor', 'billing', 'viewer'] },
      { group: 'Admins', roles: ['admin'] },
    ]);
  });

  it('keeps a half-filled row, so the API says what is missing rather than the row vanishing', () => {
    expect(toRules([{ group: 'Sales', roles: '' }])).toEqual([{ group: 'Sales', roles: [] }]);
    expect(toRules([{ group: '', roles: 'editor' }])).toEqual([{ group: '', roles: ['editor'] }]);
  });
});
