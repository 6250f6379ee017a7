/** What a redacted value is replaced with. */
export const REDACTED = '[redacted]';

// The same names the logs redact (REDACTED_PATHS), matched at any depth and in any case:
// a shown-once secret in a response, or one in a request body, never reaches a record.
const SECRET_KEY =
  /^(password|token|secret|clientsecret|client_secret|accesstoken|access_token|idtoken|id_token|refresh_token|refreshtoken|admintoken|authorization|cookie)$/i;

/** Longest string kept as it is; a longer one is cut, so one request cannot fill a record. */
const MAX_STRING = 2000;
/** Deepest nesting kept. */
const MAX_DEPTH = 8;

/** A copy of a JSON value with the value of every secret-named key replaced, strings bounded. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  if (typeof value !== 'object') return typeof value === 'number' || typeof value === 'boolean' ? value : null;
  if (depth >= MAX_DEPTH) return REDACTED;
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    copy[key] = SECRET_KEY.test(key) ? REDACTED : redactSecrets(item, depth + 1);
  }
  return copy;
}
