import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

// Why node:crypto and not a library: AES-256-GCM is built into Node.js (OpenSSL),
// it is authenticated encryption (a tampered or mis-keyed value fails to open
// instead of decrypting to garbage), and it needs no dependency to audit.

/** First byte of every sealed value, so the format (algorithm, IV and tag sizes) can change later. */
const FORMAT_V1 = 0x01;
const IV_BYTES = 12; // NIST SP 800-38D: 96-bit IVs, random per encryption
const TAG_BYTES = 16;

/** Raised when a sealed value cannot be opened: wrong key, wrong context, or tampered bytes. */
export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
}

/**
 * Encrypts secrets at rest (webhook signing secrets, client secrets) with
 * AES-256-GCM under SECRETS_KEY. A `context` (e.g. the owning row's id) is
 * bound as associated data, so a sealed value copied to another row fails to open.
 */
export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new SecretBoxError('the secrets key must be 32 bytes');
  }

  /** `version ‖ iv ‖ tag ‖ ciphertext`, for a bytea column. */
  seal(plaintext: string, context: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([FORMAT_V1]), iv, cipher.getAuthTag(), ciphertext]);
  }

  /** The plaintext of a value `seal` produced with the same key and context. */
  open(sealed: Buffer, context: string): string {
    if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== FORMAT_V1) {
      throw new SecretBoxError('not a sealed secret');
    }
    const iv = sealed.subarray(1, 1 + IV_BYTES);
    const tag = sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
        'utf8',
      );
    } catch (error) {
      throw new SecretBoxError('the sealed secret does not open with this key', { cause: error });
    }
  }
}
