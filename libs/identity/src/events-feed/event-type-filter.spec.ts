import { parseTypeFilter } from './event-type-filter';

describe('the events feed type filter', () => {
  it('selects every type without a parameter or with *', () => {
    expect(parseTypeFilter(undefined)).toEqual({ ok: true, types: undefined });
    expect(parseTypeFilter('*')).toEqual({ ok: true, types: undefined });
    expect(parseTypeFilter('user.created,*')).toEqual({ ok: true, types: undefined });
  });

  it('expands families and keeps exact types, each once', () => {
    const filter = parseTypeFilter('group.*,user.deleted, group.member_added');
    expect(filter).toEqual({
      ok: true,
      types: [
        'user.deleted',
        'group.created',
        'group.updated',
        'group.deleted',
        'group.member_added',
        'group.member_removed',
      ],
    });
  });

  it.each([[''], ['user.exploded'], ['users.*'], ['user.created,,group.created'], ['%']])('refuses %p', (text) => {
    const filter = parseTypeFilter(text);
    expect(filter.ok).toBe(false);
    if (!filter.ok) expect(filter.problem).toMatch(/^types must be/);
  });
});
