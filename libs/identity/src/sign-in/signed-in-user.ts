import type { UserAccess } from '../access/user-access';
import type { UserRow } from '../users/user-row';

/** A signed-in user as /auth/me, sessions and downstream tokens describe them. */
export interface SignedInUser extends UserAccess {
  readonly id: string;
  readonly tenantId: string;
  readonly tenantSlug: string;
  readonly userName: string;
  readonly email: string | null;
  readonly name: string | null;
}

/** The user as a signed-in user: the SCIM profile first, the IdP's claims where SCIM says nothing. */
export function toSignedInUser(
  row: UserRow,
  tenantSlug: string,
  access: UserAccess,
  claims?: { readonly email: string | null; readonly name: string | null },
): SignedInUser {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    tenantSlug,
    userName: row.user_name,
    email: primaryEmail(row.resource) ?? claims?.email ?? null,
    name: displayName(row.resource) ?? claims?.name ?? null,
    ...access,
  };
}

function primaryEmail(resource: Readonly<Record<string, unknown>>): string | null {
  const emails = Array.isArray(resource['emails'])
    ? (resource['emails'] as { value?: unknown; primary?: unknown }[])
    : [];
  const email = emails.find((entry) => entry.primary === true) ?? emails[0];
  return typeof email?.value === 'string' ? email.value : null;
}

function displayName(resource: Readonly<Record<string, unknown>>): string | null {
  if (typeof resource['displayName'] === 'string') return resource['displayName'];
  const name = resource['name'] as { formatted?: unknown; givenName?: unknown; familyName?: unknown } | undefined;
  if (typeof name?.formatted === 'string') return name.formatted;
  const parts = [name?.givenName, name?.familyName].filter((part): part is string => typeof part === 'string');
  return parts.length > 0 ? parts.join(' ') : null;
}
