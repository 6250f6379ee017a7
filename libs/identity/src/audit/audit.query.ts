import { z } from 'zod';
import { logPageQuery } from '../request-log/log-page';
import { AUDIT_ACTOR_TYPES, AuditActorType } from './audit-actor';

/** `actor`: `type:id` (`operator:3f9a…`, `user:<uuid>`, `setup_link:<id>`), or a bare id of any type. */
const actorFilter = z
  .string()
  .min(1, 'must be type:id or an id')
  .max(200, 'must be at most 200 characters')
  .transform((value, context) => {
    const colon = value.indexOf(':');
    if (colon < 0) return { type: undefined, id: value };
    const type = value.slice(0, colon);
    const id = value.slice(colon + 1);
    if (!AUDIT_ACTOR_TYPES.includes(type as AuditActorType) || id === '') {
      context.addIssue({ code: 'custom', message: `must be ${AUDIT_ACTOR_TYPES.join('|')}:id, or an id` });
      return z.NEVER;
    }
    return { type: type as AuditActorType, id };
  });

/** GET /admin/v1/tenants/{slug}/audit: one tenant's entries. */
export const tenantAuditQuery = logPageQuery.extend({ actor: actorFilter.optional() }).strict();
export type TenantAuditQuery = z.output<typeof tenantAuditQuery>;

/** GET /admin/v1/audit: every entry, or one tenant's (`tenant` is its slug). */
export const auditQuery = tenantAuditQuery
  .extend({
    tenant: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a tenant slug')
      .optional(),
  })
  .strict();
export type AuditQuery = z.output<typeof auditQuery>;
