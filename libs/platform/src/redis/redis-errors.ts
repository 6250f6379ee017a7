// ioredis raises these when Redis cannot be reached or does not answer; their
// classes are not all exported, so they are recognised by name and message.
const UNAVAILABLE_MESSAGES = [
  "Stream isn't writeable and enableOfflineQueue options is false",
  'Connection is closed.',
  'Command timed out',
];

/** Whether an error means Redis is away (a 503 for the caller), rather than a bug (a 500). */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === 'MaxRetriesPerRequestError' || UNAVAILABLE_MESSAGES.some((text) => error.message.startsWith(text))
  );
}
