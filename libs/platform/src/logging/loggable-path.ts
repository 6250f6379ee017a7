// Paths whose segment after the prefix is a bearer secret: a setup link opens a tenant's
// setup portal to whoever holds it, so its address never reaches a log line.
const SECRET_PREFIX = '/setup/';
const SECRET_PATHS = /^(\/setup\/)[^/?]+/;

/** A request's path as logs show it: no query string (SCIM filters carry emails), no secret in the path. */
export function loggablePath(url: string): string {
  // Written for every request line: a search and a slice, the pattern only where a secret can be.
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  return path.startsWith(SECRET_PREFIX) ? path.replace(SECRET_PATHS, '$1[redacted]') : path;
}
