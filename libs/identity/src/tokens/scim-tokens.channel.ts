/** Notified when SCIM tokens are revoked or their tenant deleted: every process drops the tokens it remembers. */
export const SCIM_TOKENS_CHANNEL = 'scim_tokens_changed';
