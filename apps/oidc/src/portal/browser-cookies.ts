import type { CookieSerializeOptions } from '@fastify/cookie';

/** The portal's and the console's cookies, named and scoped once for every route that touches them. */
export class BrowserCookies {
  readonly portal: string;
  readonly console: string;
  private readonly secure: boolean;

  constructor(publicUrl: string) {
    this.secure = new URL(publicUrl).protocol === 'https:';
    // __Host- (as the gateway's session cookie): only Secure, this host, path /; no subdomain can plant one.
    const prefix = this.secure ? '__Host-' : '';
    this.portal = `${prefix}gw_portal`;
    this.console = `${prefix}gw_console`;
  }

  /**
   * Lax for the portal: the link arrives by mail, and a Strict cookie would not be sent on
   * the redirect that follows it. Strict for the console, which is never entered from elsewhere.
   */
  options(kind: 'portal' | 'console', maxAgeMs?: number): CookieSerializeOptions {
    return {
      path: '/',
      httpOnly: true,
      sameSite: kind === 'portal' ? 'lax' : 'strict',
      secure: this.secure,
      ...(maxAgeMs !== undefined ? { maxAge: Math.floor(maxAgeMs / 1000) } : {}),
    };
  }
}

/** Injection token of the app's BrowserCookies. */
export const BROWSER_COOKIES = Symbol('BROWSER_COOKIES');
