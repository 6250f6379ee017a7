import { randomBytes } from 'node:crypto';
import { SecretBox, SecretBoxError } from './secret-box';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('opens what it sealed', () => {
    const sealed = box.seal('whsec_c2VjcmV0', 'row-1');
    expect(box.open(sealed, 'row-1')).toBe('whsec_c2VjcmV0');
  });

  it('never stores the plaintext and uses a fresh IV each time', () => {
    const a = box.seal('whsec_c2VjcmV0', 'row-1');
    const b = box.seal('whsec_c2VjcmV0', 'row-1');
    expect(a.includes(Buffer.from('whsec_c2VjcmV0'))).toBe(false);
    expect(a.equals(b)).toBe(false);
  });

  it.each([
    ['another key', () => new SecretBox(randomBytes(32)).open(box.seal('s', 'row-1'), 'row-1')],
    ['another context (a value copied to another row)', () => box.open(box.seal('s', 'row-1'), 'row-2')],
    [
      'a flipped ciphertext bit',
      () => {
        const sealed = box.seal('secret', 'row-1');
        sealed[sealed.length - 1] ^= 1;
        return box.open(sealed, 'row-1');
      },
    ],
    ['a truncated value', () => box.open(Buffer.from([1, 2, 3]), 'row-1')],
    [
      'an unknown format version',
      () => box.open(Buffer.concat([Buffer.from([9]), box.seal('s', 'row-1').subarray(1)]), 'row-1'),
    ],
  ])('refuses to open with %s', (_case, open) => {
    expect(open).toThrow(SecretBoxError);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow(SecretBoxError);
  });
});
