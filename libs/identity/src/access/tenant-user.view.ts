import { effectiveRoles } from './access-lists';
import type { UserAccessRow } from './user-access.row';

/** A user as the admin API lists them. */
export interface TenantUserView {
  id: string;
  userName: string;
  externalId: string | null;
  active: boolean;
  email: string | null;
  name: string | null;
  /** Granted by an administrator. */
  roles: string[];
  /** Granted, then derived by group rules at the last sign-in. */
  effectiveRoles: string[];
  teams: string[];
  /** Display names of the user's SCIM groups. */
  groups: string[];
  lastSignInAt: string | null;
}

export function toTenantUserView(row: UserAccessRow): TenantUserView {
  return {
    id: row.id,
    userName: row.user_name,
    externalId: row.external_id,
    active: row.active,
    email: primaryEmail(row.emails),
    name: personName(row.display_name, row.name),
    roles: row.roles,
    effectiveRoles: effectiveRoles(row.roles, row.rule_roles),
    teams: row.teams,
    groups: row.scim_groups,
    lastSignInAt: row.last_sign_in_at?.toISOString() ?? null,
  };
}

/** The SCIM `emails` entry marked primary (RFC 7643 §2.4), else the first, else null. */
export function primaryEmail(emails: unknown): string | null {
  if (!Array.isArray(emails)) return null;
  const values = emails.filter(
    (email): email is { value: string; primary?: unknown } =>
      typeof email === 'object' && email !== null && typeof (email as { value?: unknown }).value === 'string',
  );
  return (values.find((email) => email.primary === true) ?? values[0])?.value ?? null;
}

/** How to call the person: displayName, else name.formatted, else given and family names. */
export function personName(displayName: string | null, name: unknown): string | null {
  if (displayName) return displayName;
  if (typeof name !== 'object' || name === null) return null;
  const { formatted, givenName, familyName } = name as Record<string, unknown>;
  if (typeof formatted === 'string' && formatted !== '') return formatted;
  const parts = [givenName, familyName].filter((part): part is string => typeof part === 'string' && part !== '');
  return parts.length > 0 ? parts.join(' ') : null;
}
