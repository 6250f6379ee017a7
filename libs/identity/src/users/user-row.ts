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
}

/** What a write stores: the columns derive from the resource. */
export interface UserWrite {
  readonly userName: string;
  readonly externalId: string | null;
  readonly active: boolean;
  readonly resource: Record<string, unknown>;
}
