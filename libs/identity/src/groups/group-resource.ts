import { weakEtag } from '../scim/etag';
import { ScimError } from '../scim/errors';
import type { ScimResource } from '../scim/resource/resource-validator';
import { MAX_INDEXED_LENGTH } from '../users/user-resource';
import type { GroupRow, GroupWrite, MemberRow } from './group-row';

/** Members live in group_members; id and meta are the server's. */
const NOT_STORED = new Set(['id', 'meta', 'members']);

/**
 * The SCIM Group a row represents (RFC 7643 §4.2); `members` only when they
 * were loaded, so `excludedAttributes=members` never reads the membership table.
 */
export function toScimGroup(
  row: GroupRow,
  members: readonly MemberRow[] | undefined,
  scimBaseUrl: string,
): ScimResource {
  return {
    ...row.resource,
    id: row.id,
    ...(members && members.length > 0
      ? {
          members: members.map((member) => ({
            value: member.value,
            display: member.display,
            $ref: `${scimBaseUrl}/Users/${member.value}`,
            type: 'User',
          })),
        }
      : {}),
    meta: {
      resourceType: 'Group',
      created: row.created_at.toISOString(),
      lastModified: row.updated_at.toISOString(),
      location: `${scimBaseUrl}/Groups/${row.id}`,
      // Membership changes bump the group's version; a member's own rename (its `display`) does not, as a
      // weak validator allows (RFC 9110 §8.8.1), the same rule the user's tag follows for its groups' names.
      version: weakEtag(row.version),
    },
  };
}

/** Splits a validated SCIM Group into what the `groups` table stores. */
export function toGroupWrite(resource: ScimResource): GroupWrite {
  const displayName = resource['displayName'] as string;
  const externalId = typeof resource['externalId'] === 'string' ? resource['externalId'] : null;
  for (const [name, value] of [
    ['displayName', displayName],
    ['externalId', externalId],
  ] as const) {
    if (value !== null && value.length > MAX_INDEXED_LENGTH) {
      throw ScimError.badRequest('invalidValue', `${name} is too long (at most ${MAX_INDEXED_LENGTH} characters)`);
    }
  }
  return {
    displayName,
    externalId,
    resource: Object.fromEntries(Object.entries(resource).filter(([key]) => !NOT_STORED.has(key))),
  };
}

/** The member ids a create or PUT body names (validated as strings by the schema). */
export function memberIdsOf(resource: ScimResource): string[] {
  const members = Array.isArray(resource['members'])
    ? (resource['members'] as { value?: unknown; type?: unknown }[])
    : [];
  return [...new Set(members.map((member) => memberId(member)))];
}

/** A member reference's user id; only users can be members (nested groups are not supported). */
export function memberId(member: { value?: unknown; type?: unknown }): string {
  if (typeof member.type === 'string' && member.type.toLowerCase() === 'group') {
    throw ScimError.badRequest('invalidValue', 'groups cannot be members of groups here: members must be users');
  }
  if (typeof member.value !== 'string') throw ScimError.badRequest('invalidValue', 'each member needs a "value"');
  return member.value;
}
