import { bearerToken } from './bearer-token';

describe('bearerToken', () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['BEARER  abc ', 'abc'],
    ['Bearer gws_AbC-12_x.y~z+/==', 'gws_AbC-12_x.y~z+/=='],
    ['Bearer', undefined],
    ['Bearer ', undefined],
    ['Basic dXNlcjpwYXNz', undefined],
    ['Bearer a b', undefined],
    ['Bearer a,b', undefined],
    ['Bearerabc', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%p → %p', (header, expected) => {
    expect(bearerToken(header)).toBe(expected);
  });
});
