import { createHash } from 'node:crypto';

/**
 * The directory's page cursor: opaque to products, it carries what the next page
 * needs — the listing it belongs to, the tenant and filters it was issued for, the
 * last id served (pages are keyset on the immutable id, so a user present throughout
 * is listed exactly once) and the feed head read with the first page (every page
 * hands back the same eventsCursor).
 */
export interface DirectoryCursor {
  /** Which listing: `users`, `groups`, `members:{groupId}`, `groups-of:{userId}`. */
  readonly listing: string;
  /** What the listing was asked for: the `tenant` and the filters of its first page. */
  readonly binding: ListingBinding;
  /** The last id of the page before. */
  readonly afterId: string;
  /** The events feed's head in the first page's snapshot. */
  readonly feedHead: string;
}

/**
 * The tenant (`*` without `tenant=`) and a digest of the filters a listing was
 * started with. A later page served under another tenant or other filters would
 * splice two listings into one, under the first one's eventsCursor: the handoff to
 * the feed would no longer miss nothing, so such a cursor is refused.
 */
export interface ListingBinding {
  readonly tenant: string;
  readonly filters: string;
}

const VERSION = 2;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const POSITION = /^(0|[1-9][0-9]{0,17})$/;
const DIGEST = /^[A-Za-z0-9_-]{22}$/;
const MAX_LENGTH = 400;

/**
 * The binding of a listing asked for with `tenant` (undefined: every tenant the
 * client reads) and `filters`, as parsed (so `Ann@Acme.com` and `ann@acme.com`,
 * or two spellings of one instant, are the same filters).
 */
export function listingBinding(tenant: string | undefined, filters: object = {}): ListingBinding {
  const canonical = Object.entries(filters)
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, value]) => [name, value instanceof Date ? value.toISOString() : (value as unknown)]);
  const digest = createHash('sha256').update(JSON.stringify(canonical)).digest().subarray(0, 16);
  return { tenant: tenant ?? '*', filters: digest.toString('base64url') };
}

export function encodeDirectoryCursor(cursor: DirectoryCursor): string {
  const { listing, binding, afterId, feedHead } = cursor;
  return Buffer.from(
    JSON.stringify([VERSION, listing, binding.tenant, binding.filters, afterId, feedHead]),
    'utf8',
  ).toString('base64url');
}

/** The cursor, if `text` is a cursor of this listing; undefined otherwise. */
export function decodeDirectoryCursor(text: string, listing: string): DirectoryCursor | undefined {
  if (text.length === 0 || text.length > MAX_LENGTH || !/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 6) return undefined;
  const [version, ofListing, tenant, filters, afterId, feedHead] = parsed as unknown[];
  if (version !== VERSION || ofListing !== listing) return undefined;
  if (typeof tenant !== 'string' || tenant.length === 0) return undefined;
  if (typeof filters !== 'string' || !DIGEST.test(filters)) return undefined;
  if (typeof afterId !== 'string' || !UUID.test(afterId)) return undefined;
  if (typeof feedHead !== 'string' || !POSITION.test(feedHead)) return undefined;
  return { listing, binding: { tenant, filters }, afterId, feedHead };
}
