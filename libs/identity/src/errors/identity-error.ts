/** Stable codes of the domain's errors; each transport maps them to its own wire format. */
export type IdentityErrorCode = 'invalid_request' | 'not_found' | 'conflict' | 'unprocessable' | 'forbidden';

/** A refused operation on the identity domain, with a message fit to show the caller. */
export class IdentityError extends Error {
  override readonly name = 'IdentityError';

  constructor(
    readonly code: IdentityErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  static invalid(message: string): IdentityError {
    return new IdentityError('invalid_request', message);
  }

  static notFound(message: string): IdentityError {
    return new IdentityError('not_found', message);
  }

  static conflict(message: string): IdentityError {
    return new IdentityError('conflict', message);
  }
}
