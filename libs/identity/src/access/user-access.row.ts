/** A user as access control reads it: identity, a few profile fields, and what grants them access. */
export interface UserAccessRow {
  readonly id: string;
  readonly user_name: string;
  readonly external_id: string | null;
  readonly active: boolean;
  /** The SCIM `emails`, `name` and `displayName`, as stored (unvalidated shapes). */
  readonly emails: unknown;
  readonly name: unknown;
  readonly display_name: string | null;
  /** Granted by an administrator. */
  readonly roles: string[];
  readonly teams: string[];
  /** The groups claim of the last sign-in, and the roles the tenant's rules derived then. */
  readonly idp_groups: string[];
  readonly rule_roles: string[];
  readonly last_sign_in_at: Date | null;
  /** Display names of the SCIM groups the user is a member of. */
  readonly scim_groups: string[];
}
