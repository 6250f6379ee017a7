import { createHmac, hkdfSync } from 'node:crypto';
import { ForbiddenException, Inject, Injectable } from '@nestjs/common';
import { secretsEqual } from '@app/identity';
import { APP_CONFIG, ResolvedConfig } from '@app/platform';

/** Which session a CSRF token is bound to: a console, a portal or a gateway (sign-in) session. */
export type CsrfKind = 'console' | 'portal' | 'session';

/** The header a page sends its CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';

/** A state-changing request made with a cookie but without its session's CSRF token. */
export class CsrfError extends ForbiddenException {
  constructor() {
    super({ code: 'csrf', message: `missing or wrong ${CSRF_HEADER} header: reload the page and try again` });
  }
}

/**
 * CSRF tokens bound to a session: HMAC-SHA256 of `<kind>:<sessionId>` under a key derived
 * from SECRETS_KEY. Nothing to store, the same in every replica, and useless for any other
 * session. Cookies are Lax or Strict already; the token also covers a same-site attacker
 * (another app on a sibling subdomain) and browsers that ignore SameSite.
 */
@Injectable()
export class CsrfTokens {
  private readonly key: Buffer;

  constructor(@Inject(APP_CONFIG) config: ResolvedConfig) {
    // HKDF: the CSRF key is independent of the key that seals secrets, though both come from SECRETS_KEY.
    this.key = Buffer.from(hkdfSync('sha256', config.secretsKey, Buffer.alloc(0), 'gateway csrf tokens v1', 32));
  }

  issue(kind: CsrfKind, sessionId: string): string {
    return createHmac('sha256', this.key).update(`${kind}:${sessionId}`, 'utf8').digest('base64url');
  }

  /** Whether `given` is the token of that session, compared in constant time. */
  matches(given: string | string[] | undefined, kind: CsrfKind, sessionId: string): boolean {
    return typeof given === 'string' && given.length > 0 && secretsEqual(given, this.issue(kind, sessionId));
  }
}

/** Methods that change nothing, and so need no CSRF token. */
export function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}
