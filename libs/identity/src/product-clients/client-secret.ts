import { randomBytes, randomUUID } from 'node:crypto';

/** A product's client id: random, so that it says nothing about the product or the order of registration. */
export function generateClientId(): string {
  return randomUUID();
}

/** A client secret with 256 random bits; the `gwcs_` prefix lets secret scanners recognise a leaked one. */
export function generateClientSecret(): string {
  return `gwcs_${randomBytes(32).toString('base64url')}`;
}
