/** A sign-in that cannot go on, with what to show the person (never a stack or a secret). */
export class SignInError extends Error {
  override readonly name = 'SignInError';

  /** The tenant the sign-in was for, when known before an attempt started (for its refused sign-ins). */
  tenantId?: string;

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

  /** No such tenant: the link or the name is wrong. */
  static notFound(message: string): SignInError {
    return new SignInError(404, 'Unknown organization', message);
  }

  /** The tenant exists, but no IdP is connected to it yet: for the person, and for whoever administers it. */
  static notConfigured(tenant: { id: string; name: string; slug: string }): SignInError {
    const error = new SignInError(
      404,
      'Sign-in is not set up yet',
      `Sign-in is not set up for ${tenant.name} yet: its identity provider has not been connected. ` +
        `Please ask your administrator. Administrators: connect it with the tenant's OIDC settings ` +
        `(npm run -s cli -- oidc set ${tenant.slug} …, or PUT /admin/v1/tenants/${tenant.slug}/oidc).`,
    );
    error.tenantId = tenant.id;
    return error;
  }

  /** No tenant signs in people with this email domain. */
  static unknownEmailDomain(domain: string): SignInError {
    return new SignInError(
      404,
      'Unknown email domain',
      `No organization signs in people with @${domain} addresses here. Check the address, or use the sign-in ` +
        `link your organization gave you. Administrators: add ${domain} to the organization's domains.`,
    );
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
