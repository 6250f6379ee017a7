import { decodeFeedCursor, encodeFeedCursor } from './feed-cursor';

describe('feed cursors', () => {
  it.each(['0', '1', '42', '999999999999999999'])('round-trips position %s', (position) => {
    const cursor = encodeFeedCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeFeedCursor(cursor)).toBe(position);
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'a+b/c='],
    ['random text', 'hello'],
    ['another version', Buffer.from('f2:5').toString('base64url')],
    ['a negative position', Buffer.from('f1:-5').toString('base64url')],
    ['a leading zero', Buffer.from('f1:05').toString('base64url')],
    ['a fraction', Buffer.from('f1:5.5').toString('base64url')],
    ['trailing parts', Buffer.from('f1:5:6').toString('base64url')],
    ['a position beyond bigint', Buffer.from('f1:9999999999999999999').toString('base64url')],
    ['far too long', 'A'.repeat(65)],
  ])('refuses %s', (_name, cursor) => {
    expect(decodeFeedCursor(cursor)).toBeUndefined();
  });

  it('refuses to encode what is not a position', () => {
    expect(() => encodeFeedCursor('-1')).toThrow('not a feed position');
  });
});
