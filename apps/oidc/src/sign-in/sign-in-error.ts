/** A sign-in that cannot go on, with what to show the person (never a stack or a secret). */
export class SignInError extends Error {
  override readonly name = 'SignInError';

  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  static badRequest(message: string, cause?: unknown): SignInError {
    return new SignInError(400, 'Sign-in failed', message, { cause });
  }

  static notFound(message: string): SignInError {
    return new SignInError(404, 'Unknown organization', message);
  }

  static refused(message: string): SignInError {
    return new SignInError(403, 'Access denied', message);
  }

  static misconfigured(cause: unknown): SignInError {
    return new SignInError(
      503,
      'Sign-in is not available',
      'Sign-in for your organization is misconfigured. Please tell your administrator.',
      { cause },
    );
  }

  static providerUnavailable(message: string, cause?: unknown): SignInError {
    return new SignInError(502, 'Your identity provider did not answer', message, { cause });
  }
}
