import { ScimError } from './errors';

/** RFC 7644 §3.14: `meta.version` and the ETag header, as a weak entity tag. */
export function weakEtag(version: number): string {
  return `W/"${version}"`;
}

/**
 * RFC 7232 §3.1 If-Match: passes when absent, `*`, or listing the current tag
 * (weak comparison, so `"3"` and `W/"3"` both match version 3); otherwise 412.
 */
export function assertIfMatch(header: string | undefined, version: number): void {
  if (header === undefined || header.trim() === '') return;
  const tags = header.split(',').map((tag) => tag.trim());
  if (tags.includes('*')) return;
  const current = `"${version}"`;
  if (tags.some((tag) => tag.replace(/^W\//, '') === current)) return;
  throw new ScimError(412, undefined, `the resource has changed: its version is now ${weakEtag(version)}`);
}
