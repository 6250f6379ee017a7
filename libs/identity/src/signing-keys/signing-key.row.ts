import type { JWK } from 'jose';

/** A row of `signing_keys`: the public half in the clear, the private half sealed with SECRETS_KEY. */
export interface SigningKeyRow {
  readonly kid: string;
  readonly alg: string;
  readonly publicJwk: JWK;
  /** The private JWK as JSON, sealed by SecretBox with the kid as context. */
  readonly privateKeySealed: Buffer;
  readonly createdAt: Date;
  readonly retiredAt: Date | null;
}
