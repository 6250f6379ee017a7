import { randomBytes } from 'node:crypto';

/** Standard Webhooks: a signing secret is `whsec_` followed by the base64 of the key. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** A new signing secret with 256 random bits (the spec asks for 24 to 64 bytes). */
export function generateWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}
