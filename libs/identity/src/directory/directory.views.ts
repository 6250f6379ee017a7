import { effectiveRoles } from '../access/access-lists';
import { primaryEmail } from '../access/tenant-user.view';

/** A user as the directory reads it (one row of DirectoryRepository). */
export interface DirectoryUserRow {
  readonly id: string;
  readonly tenant: string;
  readonly external_id: string | null;
  readonly user_name: string;
  readonly emails: unknown;
  readonly name: unknown;
  readonly active: boolean;
  readonly roles: string[];
  readonly rule_roles: string[];
  readonly teams: string[];
  readonly sequence: string;
  readonly created_at: Date;
  readonly updated_at: Date;
}

/** A group as the directory reads it. */
export interface DirectoryGroupRow {
  readonly id: string;
  readonly tenant: string;
  readonly external_id: string | null;
  readonly display_name: string;
  readonly member_count: string;
  readonly sequence: string;
  readonly created_at: Date;
  readonly updated_at: Date;
}

/** A user of the Products API directory (INTERFACES.md, Products API). */
export interface DirectoryUser {
  id: string;
  /** The tenant's slug. */
  tenant: string;
  externalId: string | null;
  userName: string;
  email: string | null;
  name: { givenName: string | null; familyName: string | null; formatted: string | null };
  active: boolean;
  /** Effective roles: granted by an administrator, then derived by the tenant's group rules. */
  roles: string[];
  teams: string[];
  /** The sequence of the user's latest event: a feed event with a sequence at or below it is stale. */
  sequence: number;
  createdAt: string;
  updatedAt: string;
}

/** A group of the Products API directory; members are read page by page, never inlined. */
export interface DirectoryGroup {
  id: string;
  tenant: string;
  externalId: string | null;
  displayName: string;
  memberCount: number;
  sequence: number;
  createdAt: string;
  updatedAt: string;
}

export function toDirectoryUser(row: DirectoryUserRow): DirectoryUser {
  const name = (typeof row.name === 'object' && row.name !== null ? row.name : {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);
  const givenName = text(name.givenName);
  const familyName = text(name.familyName);
  return {
    id: row.id,
    tenant: row.tenant,
    externalId: row.external_id,
    userName: row.user_name,
    email: primaryEmail(row.emails),
    name: {
      givenName,
      familyName,
      formatted: text(name.formatted) ?? ([givenName, familyName].filter(Boolean).join(' ') || null),
    },
    active: row.active,
    roles: effectiveRoles(row.roles, row.rule_roles),
    teams: row.teams,
    sequence: Number(row.sequence),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function toDirectoryGroup(row: DirectoryGroupRow): DirectoryGroup {
  return {
    id: row.id,
    tenant: row.tenant,
    externalId: row.external_id,
    displayName: row.display_name,
    memberCount: Number(row.member_count),
    sequence: Number(row.sequence),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
