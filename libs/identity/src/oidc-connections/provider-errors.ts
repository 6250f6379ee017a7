/** What can be read off an error or one of its causes. */
interface ErrorLike {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly status?: unknown;
  readonly cause?: unknown;
}

/**
 * An error and its causes, outermost first. Errors from fetch may come from
 * another realm (Node's internal undici, a test VM), so they are read by shape,
 * never by `instanceof`.
 */
export function causeChain(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let current: unknown = error;
  while (current !== null && typeof current === 'object' && chain.length < 10) {
    chain.push(current);
    current = (current as ErrorLike).cause;
  }
  return chain;
}

/** Whether the provider could not be reached at all: refused, unresolvable, reset, or silent past a timeout. */
export function isUnreachable(error: unknown): boolean {
  return causeChain(error).some(
    (link) =>
      link.name === 'TimeoutError' ||
      link.name === 'AbortError' ||
      (link.name === 'TypeError' && link.message === 'fetch failed') ||
      (typeof link.code === 'string' && /^(E[A-Z]+|UND_ERR)/.test(link.code)),
  );
}

/** Whether the provider stayed silent past a timeout. */
export function isTimeout(error: unknown): boolean {
  return causeChain(error).some((link) => link.name === 'TimeoutError');
}

/**
 * A one-line reason for an operator: the error's message with what fetch and
 * openid-client hide in `cause` (a network error such as "connect ECONNREFUSED
 * 127.0.0.1:1", or the HTTP status of an unexpected response).
 */
export function describeProviderError(error: unknown): string {
  const [outer, ...causes] = causeChain(error);
  if (!outer) return String(error);
  const message = typeof outer.message === 'string' ? outer.message : String(error);
  const details: string[] = [];
  for (const cause of causes) {
    if (typeof cause.status === 'number') details.push(`HTTP ${cause.status}`);
    else if (typeof cause.message === 'string' && cause.message !== message && cause.message !== '') {
      details.push(cause.message);
    }
  }
  return details.length > 0 ? `${message} (${details.join(': ')})` : message;
}
