import { personName, primaryEmail } from '../access/tenant-user.view';
import { type UserAccess, userAccessOf } from '../access/user-access';
import type { UserAccessRow } from '../access/user-access.row';

/** A signed-in user as /auth/me, tenant-admin checks and downstream tokens describe them. */
export interface SignedInUser extends UserAccess {
  readonly id: string;
  readonly tenantId: string;
  readonly tenantSlug: string;
  readonly userName: string;
  readonly email: string | null;
  readonly name: string | null;
}

/** The user as they are now: the SCIM profile, the roles and teams granted, the groups of the last sign-in. */
export function toSignedInUser(row: UserAccessRow, tenant: { id: string; slug: string }): SignedInUser {
  return {
    id: row.id,
    tenantId: tenant.id,
    tenantSlug: tenant.slug,
    userName: row.user_name,
    email: primaryEmail(row.emails),
    name: personName(row.display_name, row.name),
    ...userAccessOf(row),
  };
}
