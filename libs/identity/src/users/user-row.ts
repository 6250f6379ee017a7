/** One row of the `users` table. */
export interface UserRow {
  readonly id: string;
  readonly tenant_id: string;
  readonly user_name: string;
  readonly external_id: string | null;
  readonly active: boolean;
  /** The SCIM resource without id, meta, password and groups. */
  readonly resource: Record<string, unknown>;
  readonly password_hash: string | null;
  readonly version: number;
  readonly created_at: Date;
  readonly updated_at: Date;
  /** The groups the user is a member of (the read-only `groups` attribute), by name. */
  readonly groups: readonly { readonly value: string; readonly display: string }[];
}

/**
 * What a SCIM response shows of a user: the columns a read selects. Reads leave out the secret and
 * the columns the resource already holds (user name, external id), which each response would only parse.
 */
export type UserView = Pick<UserRow, 'id' | 'active' | 'resource' | 'version' | 'created_at' | 'updated_at' | 'groups'>;

/** What a write stores: the columns derive from the resource. */
export interface UserWrite {
  readonly userName: string;
  readonly externalId: string | null;
  readonly active: boolean;
  readonly resource: Record<string, unknown>;
}
