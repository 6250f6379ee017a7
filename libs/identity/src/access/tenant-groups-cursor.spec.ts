import { decodeGroupCursor, encodeGroupCursor } from './tenant-groups-cursor';

describe('the group listing cursor', () => {
  it.each(['engineering', 'sales — emea', 'ünïcode "quoted"'])('round-trips %p', (name) => {
    expect(decodeGroupCursor(encodeGroupCursor(name))).toBe(name);
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'abc+/='],
    ['not JSON', Buffer.from('nope').toString('base64url')],
    ['another shape', Buffer.from(JSON.stringify({ g: 'x' })).toString('base64url')],
    ['another listing', Buffer.from(JSON.stringify(['u', 'x'])).toString('base64url')],
    ['an empty name', Buffer.from(JSON.stringify(['g', ''])).toString('base64url')],
    ['too long', 'A'.repeat(3000)],
  ])('refuses a cursor that is %s', (_case, text) => {
    expect(decodeGroupCursor(text)).toBeUndefined();
  });
});
