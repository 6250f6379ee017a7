import { ScimError } from './errors';

/** RFC 7644 §3.14: `meta.version` and the ETag header, as a weak entity tag. */
export function weakEtag(version: number | string): string {
  return `W/"${version}"`;
}

/** A resource's current entity tag: a version number, or the tag itself (`W/"…"`). */
export type CurrentTag = number | string;

/**
 * Whether a conditional header's list of entity tags (RFC 9110 §13.1.1/§13.1.2)
 * names the current tag: `*` names any, and comparison is weak, so `"3"` and
 * `W/"3"` both name version 3. An empty or absent header names nothing.
 */
function namesCurrent(header: string | undefined, current: CurrentTag): boolean {
  if (header === undefined || header.trim() === '') return false;
  const tags = header.split(',').map((tag) => tag.trim());
  if (tags.includes('*')) return true;
  const opaque = (typeof current === 'number' ? weakEtag(current) : current).replace(/^W\//, '');
  return tags.some((tag) => tag.replace(/^W\//, '') === opaque);
}

/**
 * RFC 7232 §3.1 If-Match: passes when absent, `*`, or listing the current tag
 * (weak comparison, so `"3"` and `W/"3"` both match version 3); otherwise 412.
 */
export function assertIfMatch(header: string | undefined, current: CurrentTag): void {
  if (header === undefined || header.trim() === '') return;
  if (namesCurrent(header, current)) return;
  const tag = typeof current === 'number' ? weakEtag(current) : current;
  throw new ScimError(412, undefined, `the resource has changed: its version is now ${tag}`);
}

/**
 * RFC 9110 §13.1.2 If-None-Match on a GET (RFC 7644 §3.14): true when the
 * client already holds the current version, which is then answered 304 with
 * no body. Weak comparison; `*` matches any existing resource.
 */
export function isNotModified(header: string | undefined, current: CurrentTag): boolean {
  return namesCurrent(header, current);
}
