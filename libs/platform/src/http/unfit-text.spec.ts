import { UnfitTextError, findUnfitText, isFitText } from './unfit-text';

describe('isFitText', () => {
  it.each([
    ['plain', true],
    ['', true],
    ['émoji 😀 and 中文', true],
    ['x\ud83d\ude00', true],
    ['x\ud800', false],
    ['\udfffx', false],
    ['\ude00\ud83d', false],
    ['a\u0000b', false],
  ])('%j → %p', (text, fit) => {
    expect(isFitText(text)).toBe(fit);
  });
});

describe('findUnfitText', () => {
  it('names where the first unfit string is, in values and in attribute names', () => {
    expect(findUnfitText({ userName: 'ok', name: { givenName: 'x\ud800' } }, '')).toBe('name.givenName');
    expect(findUnfitText({ emails: [{ value: 'ok' }, { value: 'a\u0000' }] }, 'body')).toBe('body.emails[1].value');
    expect(findUnfitText({ ['k\ud800']: 1 }, 'body')).toBe('body (an attribute name)');
    expect(findUnfitText(JSON.parse('["\\ud800"]'), 'body')).toBe('body[0]');
    expect(findUnfitText('\u0000', 'query.q')).toBe('query.q');
  });

  it('passes well-formed input of every JSON type', () => {
    expect(findUnfitText({ a: [1, true, null, { b: 'ü😀' }], c: 2.5 }, 'body')).toBeUndefined();
    expect(findUnfitText(undefined, 'body')).toBeUndefined();
  });

  it('walks very deep nesting without overflowing the stack', () => {
    let deep: unknown = 'x\ud800';
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    expect(findUnfitText(deep, '')).toMatch(/^a(\.a)+$/);
  });

  it('says where, never what, in a 400', () => {
    const error = new UnfitTextError('body.name');
    expect(error.getStatus()).toBe(400);
    expect(error.message).toContain('body.name');
  });
});
