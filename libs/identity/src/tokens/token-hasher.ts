import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Bearer secrets of the gateway carry a recognisable prefix, so secret scanners can spot leaked ones. */
export const SCIM_TOKEN_PREFIX = 'gws_';

/** Length of the part of a token kept in clear for operators to tell tokens apart. */
const DISPLAY_PREFIX_LENGTH = SCIM_TOKEN_PREFIX.length + 6;

/** A freshly generated secret: shown once, then only its hash is kept. */
export interface GeneratedToken {
  readonly token: string;
  readonly hash: Buffer;
  readonly displayPrefix: string;
}

/**
 * Tokens carry 256 random bits, so a fast SHA-256 is the right hash: there is
 * nothing to brute-force, and it lets a token be found by an indexed lookup. Every SCIM request
 * hashes its token: the one-shot `hash` builds no Hash object for the collector to finalise.
 */
export function hashToken(token: string): Buffer {
  return hash('sha256', token, 'buffer');
}

export function generateScimToken(): GeneratedToken {
  const token = `${SCIM_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashToken(token), displayPrefix: token.slice(0, DISPLAY_PREFIX_LENGTH) };
}

/** Compares two secrets in time independent of where they differ. */
export function secretsEqual(given: string, expected: string): boolean {
  // Hashing first gives equal lengths, which timingSafeEqual requires, without leaking the length.
  return timingSafeEqual(hashToken(given), hashToken(expected));
}
