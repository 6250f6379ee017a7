import { decodeDirectoryCursor, encodeDirectoryCursor, listingBinding } from './directory-cursor';

const binding = listingBinding('acme', { active: true });
const cursor = { listing: 'users', binding, afterId: '6f1b1f9e-5a8e-4c55-9b55-0c8a7c2f2a10', feedHead: '42' };
const raw = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const fields = (overrides: Partial<Record<number, unknown>>) =>
  Object.assign([2, 'users', 'acme', binding.filters, cursor.afterId, '1'], overrides) as unknown[];

describe('directory cursors', () => {
  it('round-trips', () => {
    const text = encodeDirectoryCursor(cursor);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeDirectoryCursor(text, 'users')).toEqual(cursor);
  });

  it('belongs to its listing only', () => {
    expect(decodeDirectoryCursor(encodeDirectoryCursor(cursor), 'groups')).toBeUndefined();
    const members = { ...cursor, listing: `members:${cursor.afterId}` };
    expect(decodeDirectoryCursor(encodeDirectoryCursor(members), 'members:another')).toBeUndefined();
  });

  it.each([
    ['empty', ''],
    ['not base64url', '!!!'],
    ['not JSON', Buffer.from('nope').toString('base64url')],
    ['an object', raw({ listing: 'users' })],
    ['another version', raw(fields({ 0: 1 }))],
    ['a cursor of the version before (no tenant, no filters)', raw([1, 'users', cursor.afterId, '1'])],
    ['an empty tenant', raw(fields({ 2: '' }))],
    ['a filters digest of another shape', raw(fields({ 3: 'x' }))],
    ['an id that is no uuid', raw(fields({ 4: "1' OR 1=1" }))],
    ['a head that is no position', raw(fields({ 5: '-1' }))],
    ['too long', 'A'.repeat(401)],
  ])('refuses %s', (_name, text) => {
    expect(decodeDirectoryCursor(text, 'users')).toBeUndefined();
  });
});

describe('listing bindings', () => {
  it('name the tenant, or * for every tenant the client reads', () => {
    expect(listingBinding('acme').tenant).toBe('acme');
    expect(listingBinding(undefined).tenant).toBe('*');
  });

  it('digest the parsed filters, whatever their order, leaving out those not given', () => {
    const at = new Date('2026-01-02T00:00:00Z');
    const a = listingBinding('acme', { active: false, updatedSince: at, email: undefined });
    expect(listingBinding('acme', { updatedSince: new Date(at.getTime()), active: false })).toEqual(a);
    expect(a.filters).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(listingBinding('acme', {})).toEqual(listingBinding('acme', { active: undefined }));
  });

  it.each([
    ['another value', { active: true }],
    ['another date', { active: false, updatedSince: new Date('2026-01-03T00:00:00Z') }],
    ['one filter less', { active: false }],
    ['one filter more', { active: false, updatedSince: new Date('2026-01-02T00:00:00Z'), email: 'a@b.c' }],
  ])('tell %s apart', (_name, filters) => {
    const base = listingBinding('acme', { active: false, updatedSince: new Date('2026-01-02T00:00:00Z') });
    expect(listingBinding('acme', filters).filters).not.toBe(base.filters);
  });
});
