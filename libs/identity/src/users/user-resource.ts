import { ScimError } from '../scim/errors';
import type { ScimResource } from '../scim/resource/resource-validator';
import { weakEtag } from '../scim/etag';
import type { UserRow, UserWrite } from './user-row';

/** Attributes never kept in the stored document: the server's own (id, meta), the secret, and the derived groups. */
const NOT_STORED = new Set(['id', 'meta', 'password', 'groups']);

/** The SCIM User a row represents, with `groups` and `meta` (RFC 7643 §3.1, §4.1.2); before projection. */
export function toScimUser(row: UserRow, scimBaseUrl: string): ScimResource {
  return {
    ...row.resource,
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
      version: weakEtag(row.version),
    },
  };
}

/**
 * Longest value of an indexed attribute. PostgreSQL's btree and GIN entries hold
 * at most ~2,700 bytes, so a longer one would fail at the database; no real
 * user name, external id or email address comes near this.
 */
export const MAX_INDEXED_LENGTH = 512;

/** Splits a validated SCIM User into what the `users` table stores. */
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
    // RFC 7643 §4.1.1 leaves the default to the provider: a user provisioned without `active` is active.
    active: resource['active'] !== false,
    resource: stored,
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
