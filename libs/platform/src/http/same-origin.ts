import type { IncomingHttpHeaders } from 'node:http';

/**
 * Whether a state-changing request was sent by a page of `origin` itself, read
 * from the headers a browser sets and no page can (the OWASP CSRF cheat sheet's
 * standard-header defence): Fetch Metadata's `Sec-Fetch-Site: same-origin`,
 * and an `Origin` that is ours. A browser sends at least one of them with every
 * POST; a request with neither, or with either pointing elsewhere, is refused.
 * Stateless: no token to issue, store or forget to check.
 */
export function isSameOriginRequest(headers: IncomingHttpHeaders, origin: string): boolean {
  const site = single(headers['sec-fetch-site']);
  const sender = single(headers.origin);
  if (site === undefined && sender === undefined) return false;
  if (site !== undefined && site !== 'same-origin') return false;
  return sender === undefined || sameOrigin(sender, origin);
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** RFC 6454: scheme, host and port equal (`null`, an opaque origin, is no one's). */
function sameOrigin(sender: string, origin: string): boolean {
  try {
    return new URL(sender).origin === new URL(origin).origin;
  } catch {
    return false;
  }
}
