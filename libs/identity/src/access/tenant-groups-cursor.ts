/**
 * The cursor of the admin's group listing: the folded display name of the last group
 * served. Display names are unique per tenant case-insensitively (groups_tenant_display_name_key),
 * so this keyset is exact and needs no id, and a group deleted meanwhile does not lose the place.
 */
export function encodeGroupCursor(foldedName: string): string {
  return Buffer.from(JSON.stringify(['g', foldedName]), 'utf8').toString('base64url');
}

/** The folded name a cursor carries, or undefined when `text` is not one. */
export function decodeGroupCursor(text: string): string | undefined {
  if (text.length === 0 || text.length > 2000 || !/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || parsed[0] !== 'g' || typeof parsed[1] !== 'string') {
    return undefined;
  }
  return parsed[1] === '' ? undefined : parsed[1];
}
