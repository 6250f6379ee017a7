import { createHash } from 'node:crypto';
import { generateScimToken, hashToken, secretsEqual } from './token-hasher';

describe('SCIM token generation', () => {
  it('makes a prefixed 256-bit token, its SHA-256 and a short display prefix', () => {
    const generated = generateScimToken();
    expect(generated.token).toMatch(/^gws_[A-Za-z0-9_-]{43}$/);
    expect(generated.hash).toEqual(createHash('sha256').update(generated.token).digest());
    expect(generated.displayPrefix).toBe(generated.token.slice(0, 10));
  });

  it('never makes the same token twice', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => generateScimToken().token));
    expect(tokens.size).toBe(1000);
  });

  it('hashes deterministically', () => {
    expect(hashToken('abc')).toEqual(hashToken('abc'));
    expect(hashToken('abc')).not.toEqual(hashToken('abd'));
  });
});

describe('secretsEqual', () => {
  it.each([
    ['same', 'same', true],
    ['same', 'Same', false],
    ['short', 'a much longer secret', false],
    ['', '', true],
  ])('%p vs %p → %p', (a, b, expected) => {
    expect(secretsEqual(a, b)).toBe(expected);
  });
});
