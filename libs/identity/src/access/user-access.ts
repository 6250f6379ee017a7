import { effectiveRoles, groupNamesOf } from './access-lists';
import type { UserAccessRow } from './user-access.row';

/** What a signed-in user may do, as sessions and downstream tokens carry it. */
export interface UserAccess {
  /** Effective roles: granted by an administrator, then derived by the tenant's group rules. */
  readonly roles: string[];
  readonly teams: string[];
  /** The IdP groups of the last sign-in and the user's SCIM groups, each once. */
  readonly groups: string[];
}

/** A user's access from their row. */
export function userAccessOf(row: UserAccessRow): UserAccess {
  return {
    roles: effectiveRoles(row.roles, row.rule_roles),
    teams: [...row.teams],
    groups: groupNamesOf(row.idp_groups, row.scim_groups),
  };
}

/**
 * The data of a `user.roles_changed` event: the user's access after the change,
 * never a profile beyond the userName, never a secret.
 */
export function rolesChangedData(row: UserAccessRow): Record<string, unknown> {
  return {
    id: row.id,
    userName: row.user_name,
    roles: row.roles,
    effectiveRoles: effectiveRoles(row.roles, row.rule_roles),
    teams: row.teams,
  };
}
