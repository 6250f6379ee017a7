// ioredis raises these when Redis cannot be reached or does not answer; their
// classes are not all exported, so they are recognised by name and message.
const UNAVAILABLE_MESSAGES = [
  "Stream isn't writeable and enableOfflineQueue options is false",
  'Connection is closed.',
  'Command timed out',
  // A Redis Cluster with no reachable node, or one that lost a slot's master.
  "Cluster isn't ready and enableOfflineQueue options is false",
  'None of startup nodes is available',
  'Failed to refresh slots cache',
  'CLUSTERDOWN',
];

/** Whether an error means Redis is away (a 503 for the caller), rather than a bug (a 500). */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === 'MaxRetriesPerRequestError' || UNAVAILABLE_MESSAGES.some((text) => error.message.startsWith(text))
  );
}

const CONNECTION_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EPIPE',
]);

/**
 * Whether an error only says that Redis cannot be reached. The app's shared Redis
 * client reports an outage once, so other clients need not repeat it.
 */
export function isRedisConnectionError(error: unknown): boolean {
  if (isRedisUnavailable(error)) return true;
  const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
  return code !== undefined && CONNECTION_CODES.has(code);
}
