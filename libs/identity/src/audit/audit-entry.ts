import type { AuditActor } from './audit-actor';

/** One admin action as it is recorded. Bodies are given redacted (see redactSecrets). */
export interface AuditEntryInput {
  readonly actor: AuditActor;
  readonly tenant: { readonly id: string | null; readonly slug: string } | null;
  /** `{resource}.{verb}`, e.g. `tenants.update`, `tenant-users.set-roles`. */
  readonly action: string;
  readonly method: string;
  /** The route pattern, e.g. `/admin/v1/tenants/:slug/users/:id/roles`. */
  readonly route: string;
  /** The route's parameters: which tenant, user, subscription… */
  readonly target: Record<string, string>;
  readonly status: number;
  readonly request: unknown;
  readonly before: unknown;
  readonly after: unknown;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly requestId: string | null;
}

/** An audit entry as the admin API shows it. */
export interface AuditEntryView {
  readonly id: string;
  readonly occurredAt: string;
  readonly actor: { type: string; id: string; label: string | null };
  readonly tenant: { id: string | null; slug: string } | null;
  readonly action: string;
  readonly method: string;
  readonly route: string;
  readonly target: Record<string, string>;
  readonly status: number;
  readonly request: unknown;
  readonly before: unknown;
  readonly after: unknown;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly requestId: string | null;
}

/** A row of `audit_log`. */
export interface AuditRow {
  id: string;
  occurred_at: Date;
  actor_type: string;
  actor_id: string;
  actor_label: string | null;
  tenant_id: string | null;
  tenant_slug: string | null;
  action: string;
  method: string;
  route: string;
  target: Record<string, string>;
  status: number;
  request: unknown;
  before: unknown;
  after: unknown;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
}

export function toAuditEntryView(row: AuditRow): AuditEntryView {
  return {
    id: row.id,
    occurredAt: row.occurred_at.toISOString(),
    actor: { type: row.actor_type, id: row.actor_id, label: row.actor_label },
    tenant: row.tenant_slug === null ? null : { id: row.tenant_id, slug: row.tenant_slug },
    action: row.action,
    method: row.method,
    route: row.route,
    target: row.target,
    status: row.status,
    request: row.request,
    before: row.before,
    after: row.after,
    ip: row.ip,
    userAgent: row.user_agent,
    requestId: row.request_id,
  };
}
