/**
 * Stable codes of a refused outbound call: `private_address` when the host is,
 * or resolves to, an address that is not public; `unresolvable_host` when the
 * host has no address to check.
 */
export type OutboundAddressErrorCode = 'private_address' | 'unresolvable_host';

/**
 * An outbound call refused before any connection was made (ALLOW_PRIVATE_NETWORKS
 * is off). The message names the target and why, never a port's state: a
 * refused address is not connected to, so there is none to tell.
 */
export class OutboundAddressError extends Error {
  override readonly name = 'OutboundAddressError';

  constructor(
    readonly code: OutboundAddressErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Whether an error, or one of its causes (fetch wraps connection errors), is an outbound refusal. */
export function findOutboundAddressError(error: unknown): OutboundAddressError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 10 && current !== null && typeof current === 'object'; depth++) {
    if (current instanceof OutboundAddressError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
