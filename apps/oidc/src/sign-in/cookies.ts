import type { CookieSerializeOptions } from '@fastify/cookie';
import { hashToken } from '@app/identity';

/** The session and sign-in-attempt cookies, named and scoped once for every route that touches them. */
export class AuthCookies {
  readonly session: string;
  private readonly attemptPrefix: string;
  private readonly secure: boolean;

  constructor(publicUrl: string) {
    this.secure = new URL(publicUrl).protocol === 'https:';
    // __Host-: the browser only accepts it Secure, for this host, on path /; no subdomain can plant one.
    const prefix = this.secure ? '__Host-' : '';
    this.session = `${prefix}gw_session`;
    this.attemptPrefix = `${prefix}gw_sign_in_`;
  }

  /**
   * The cookie of the sign-in attempt with this `state`: one per attempt, so
   * two tabs signing in at once do not overwrite each other's. The callback
   * finds it from the `state` the IdP sends back.
   */
  attempt(state: string): string {
    return `${this.attemptPrefix}${hashToken(state).toString('base64url').slice(0, 16)}`;
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
