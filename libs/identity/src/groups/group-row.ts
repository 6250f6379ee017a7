/** One row of the `groups` table. */
export interface GroupRow {
  readonly id: string;
  readonly tenant_id: string;
  readonly display_name: string;
  readonly external_id: string | null;
  /** The SCIM resource without id, meta and members. */
  readonly resource: Record<string, unknown>;
  readonly version: number;
  readonly created_at: Date;
  readonly updated_at: Date;
}

/** A member as a group shows it. */
export interface MemberRow {
  readonly value: string;
  readonly display: string;
}

/** What a write stores: the columns derive from the resource. */
export interface GroupWrite {
  readonly displayName: string;
  readonly externalId: string | null;
  readonly resource: Record<string, unknown>;
}
