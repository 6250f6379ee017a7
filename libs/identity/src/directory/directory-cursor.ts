/**
 * The directory's page cursor: opaque to products, it carries what the next page
 * needs — the listing it belongs to, the last id served (pages are keyset on the
 * immutable id, so a user present throughout is listed exactly once) and the
 * feed head read with the first page (every page hands back the same eventsCursor).
 */
export interface DirectoryCursor {
  /** Which listing: `users`, `groups`, `members:{groupId}`, `groups-of:{userId}`. */
  readonly listing: string;
  /** The last id of the page before. */
  readonly afterId: string;
  /** The events feed's head in the first page's snapshot. */
  readonly feedHead: string;
}

const VERSION = 1;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const POSITION = /^(0|[1-9][0-9]{0,17})$/;

export function encodeDirectoryCursor(cursor: DirectoryCursor): string {
  return Buffer.from(JSON.stringify([VERSION, cursor.listing, cursor.afterId, cursor.feedHead]), 'utf8').toString(
    'base64url',
  );
}

/** The cursor, if `text` is a cursor of this listing; undefined otherwise. */
export function decodeDirectoryCursor(text: string, listing: string): DirectoryCursor | undefined {
  if (text.length === 0 || text.length > 300 || !/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) return undefined;
  const [version, ofListing, afterId, feedHead] = parsed as unknown[];
  if (version !== VERSION || ofListing !== listing) return undefined;
  if (typeof afterId !== 'string' || !UUID.test(afterId)) return undefined;
  if (typeof feedHead !== 'string' || !POSITION.test(feedHead)) return undefined;
  return { listing, afterId, feedHead };
}
