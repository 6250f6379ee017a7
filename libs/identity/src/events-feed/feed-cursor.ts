/**
 * The events feed's cursor: an opaque token naming a feed position. Opaque so
 * that consumers store it as it is and the encoding may change with its version.
 */
const VERSION = 'f1';
const POSITION = /^(0|[1-9][0-9]{0,17})$/;

/** Encodes a feed position (a non-negative integer, as PostgreSQL's bigint text) as a cursor. */
export function encodeFeedCursor(position: string): string {
  if (!POSITION.test(position)) throw new Error(`not a feed position: ${position}`);
  return Buffer.from(`${VERSION}:${position}`, 'utf8').toString('base64url');
}

/** The position a cursor names, or undefined when the text is not a cursor of this feed. */
export function decodeFeedCursor(cursor: string): string | undefined {
  if (cursor.length === 0 || cursor.length > 64 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const [version, position, ...rest] = text.split(':');
  if (version !== VERSION || rest.length > 0 || position === undefined || !POSITION.test(position)) return undefined;
  // Only the canonical encoding is a cursor, so one position has one cursor.
  return encodeFeedCursor(position) === cursor ? position : undefined;
}
