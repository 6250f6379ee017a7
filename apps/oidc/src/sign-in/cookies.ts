import type { CookieSerializeOptions } from '@fastify/cookie';

/** The session and sign-in-attempt cookies, named and scoped once for every route that touches them. */
export class AuthCookies {
  readonly session: string;
  readonly attempt: string;
  private readonly secure: boolean;

  constructor(publicUrl: string) {
    this.secure = new URL(publicUrl).protocol === 'https:';
    // __Host-: the browser only accepts it Secure, for this host, on path /; no subdomain can plant one.
    const prefix = this.secure ? '__Host-' : '';
    this.session = `${prefix}gw_session`;
    this.attempt = `${prefix}gw_sign_in`;
  }

  options(maxAgeMs?: number): CookieSerializeOptions {
    return {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: this.secure,
      ...(maxAgeMs !== undefined ? { maxAge: Math.floor(maxAgeMs / 1000) } : {}),
    };
  }
}
