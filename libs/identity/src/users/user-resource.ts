import { createHash } from 'node:crypto';
import { ScimError } from '../scim/errors';
import type { ScimResource } from '../scim/resource/resource-validator';
import { weakEtag } from '../scim/etag';
import type { UserRow, UserView, UserWrite } from './user-row';

/** Attributes never kept in the stored document: the server's own (id, meta), the secret, and the derived groups. */
const NOT_STORED = new Set(['id', 'meta', 'password', 'groups']);

/** The SCIM User a row represents, with `groups` and `meta` (RFC 7643 §3.1, §4.1.2); before projection. */
export function toScimUser(row: UserView, scimBaseUrl: string): ScimResource {
  return {
    ...row.resource,
    // The column is what sign-in and filters read: the response shows that same state.
    active: row.active,
    id: row.id,
    ...(row.groups.length > 0
      ? {
          groups: row.groups.map((group) => ({
            value: group.value,
            display: group.display,
            $ref: `${scimBaseUrl}/Groups/${group.value}`,
            type: 'direct',
          })),
        }
      : {}),
    meta: {
      resourceType: 'User',
      created: row.created_at.toISOString(),
      lastModified: row.updated_at.toISOString(),
      location: `${scimBaseUrl}/Users/${row.id}`,
      version: userEntityTag(row),
    },
  };
}

/**
 * The user's entity tag (RFC 7644 §3.14, `meta.version`). Its `groups` are
 * part of the user as shown, yet a membership change writes only the
 * membership table, not the user: so the tag is the user's version plus a
 * fingerprint of the ids of its groups, and a cached copy (If-None-Match)
 * stops matching when the user joins or leaves a group. The other side's
 * labels (a group's name shown as `display`) are not covered, as a weak
 * validator allows (RFC 9110 §8.8.1); the group's own tag follows its
 * renames. USER_META_VERSION_SQL computes the same tag in SQL for filters.
 */
export function userEntityTag(row: Pick<UserRow, 'version' | 'groups'>): string {
  if (row.groups.length === 0) return weakEtag(row.version);
  // A fingerprint, not a secret: md5 because PostgreSQL has it built in for the same computation.
  const ids = row.groups.map((group) => group.value.toLowerCase()).sort();
  const fingerprint = createHash('md5').update(ids.join(',')).digest('hex').slice(0, 8);
  return weakEtag(`${row.version}.${fingerprint}`);
}

/** `userEntityTag` in SQL, over `users` aliased `alias` (for `meta.version` in filters). */
export function userEntityTagSql(alias: string): string {
  const fingerprint = `(SELECT left(md5(string_agg(m.group_id::text, ',' ORDER BY m.group_id)), 8)
     FROM group_members m WHERE m.user_id = ${alias}.id)`;
  return `('W/"' || ${alias}.version || COALESCE('.' || ${fingerprint}, '') || '"')`;
}

/**
 * Longest value of an indexed attribute. PostgreSQL's btree and GIN entries hold
 * at most ~2,700 bytes, so a longer one would fail at the database; no real
 * user name, external id or email address comes near this.
 */
export const MAX_INDEXED_LENGTH = 512;

/**
 * Settles `active`, which a stored user always has (in its document and in the
 * `active` column alike), so that responses, filters (`active pr`,
 * `active eq true`), sign-in and events all see one state.
 *
 * RFC 7643 §4.1.1 gives `active` no default, and RFC 7643 §2.5 makes null the
 * same as unassigned; the gateway decides what an unassigned `active` means by
 * what the write intends (`whenUnassigned`):
 * - a creation (POST, or a user made at first sign-in) provisions a user meant
 *   to sign in: active;
 * - a PUT that omits it keeps the current state: RFC 7644 §3.5.1 lets an
 *   omitted readWrite attribute be taken as "not asserted by the client", and a
 *   replacement that forgot the flag must neither re-enable a deactivated user
 *   nor lock out an active one;
 * - a PATCH `remove` of it (RFC 7644 §3.5.2.2: the attribute becomes
 *   unassigned), or a `replace` with null, withdraws the assertion that the
 *   account is active: the user is deactivated. Access is never granted by
 *   taking a value away.
 */
export function withActive(resource: ScimResource, whenUnassigned: boolean): ScimResource {
  return typeof resource['active'] === 'boolean' ? resource : { ...resource, active: whenUnassigned };
}

/** Splits a validated SCIM User (with `active` settled by `withActive`) into what the `users` table stores. */
export function toUserWrite(resource: ScimResource): UserWrite {
  assertIndexable('userName', resource['userName']);
  assertIndexable('externalId', resource['externalId']);
  for (const email of Array.isArray(resource['emails']) ? resource['emails'] : []) {
    assertIndexable('emails.value', (email as { value?: unknown } | null)?.value);
  }
  const stored = Object.fromEntries(Object.entries(resource).filter(([key]) => !NOT_STORED.has(key)));
  return {
    userName: resource['userName'] as string,
    externalId: typeof resource['externalId'] === 'string' ? resource['externalId'] : null,
    active: resource['active'] !== false,
    resource: { ...stored, active: resource['active'] !== false },
  };
}

/** The password a request carries, if any (validated as a string already). */
export function passwordOf(resource: ScimResource): string | undefined {
  return typeof resource['password'] === 'string' ? resource['password'] : undefined;
}

function assertIndexable(name: string, value: unknown): void {
  if (typeof value === 'string' && value.length > MAX_INDEXED_LENGTH) {
    throw ScimError.badRequest('invalidValue', `${name} is too long (at most ${MAX_INDEXED_LENGTH} characters)`);
  }
}
