import { decodeDirectoryCursor, encodeDirectoryCursor } from './directory-cursor';

const cursor = { listing: 'users', afterId: '6f1b1f9e-5a8e-4c55-9b55-0c8a7c2f2a10', feedHead: '42' };
const raw = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

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
    ['another version', raw([2, 'users', cursor.afterId, '1'])],
    ['an id that is no uuid', raw([1, 'users', "1' OR 1=1", '1'])],
    ['a head that is no position', raw([1, 'users', cursor.afterId, '-1'])],
    ['too long', 'A'.repeat(301)],
  ])('refuses %s', (_name, text) => {
    expect(decodeDirectoryCursor(text, 'users')).toBeUndefined();
  });
});
