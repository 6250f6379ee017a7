import type { CryptoKey, JWK } from 'jose';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK } from 'jose';

/** The algorithm of downstream tokens: ECDSA P-256, small signatures that every JOSE library verifies. */
export const SIGNING_ALGORITHM = 'ES256';

/** A fresh key pair as JWKs; `publicJwk` is what the JWKS publishes. */
export interface GeneratedSigningKey {
  /** The RFC 7638 thumbprint of the public key, so the kid is derived, never chosen. */
  readonly kid: string;
  readonly alg: string;
  readonly publicJwk: JWK;
  readonly privateJwk: JWK;
}

/** Generates a key pair for signing downstream tokens. */
export async function generateSigningKey(): Promise<GeneratedSigningKey> {
  const pair = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
  const { kty, crv, x, y, d } = await exportJWK(pair.privateKey);
  const kid = await calculateJwkThumbprint({ kty, crv, x, y });
  return {
    kid,
    alg: SIGNING_ALGORITHM,
    // Only the members a verifier needs: no key_ops or ext from WebCrypto's export.
    publicJwk: { kty, crv, x, y, kid, alg: SIGNING_ALGORITHM, use: 'sig' },
    privateJwk: { kty, crv, x, y, d },
  };
}

/** The private key to sign with, from its JWK. */
export async function importSigningKey(privateJwk: JWK, alg: string): Promise<CryptoKey> {
  const key = await importJWK(privateJwk, alg);
  if (key instanceof Uint8Array) throw new TypeError(`signing keys are asymmetric, not a ${alg} secret`);
  return key;
}
