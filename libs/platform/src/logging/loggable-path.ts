// Paths whose segment after the prefix is a bearer secret: a setup link opens a tenant's
// setup portal to whoever holds it, so its address never reaches a log line.
const SECRET_PATHS = /^(\/setup\/)[^/?]+/;

/** A request's path as logs show it: no query string (SCIM filters carry emails), no secret in the path. */
export function loggablePath(url: string): string {
  return url.split('?', 1)[0].replace(SECRET_PATHS, '$1[redacted]');
}
