import { z } from 'zod';

/** What a setup link may open: each scope is one step of the tenant's setup portal. */
export const SETUP_LINK_SCOPES = ['oidc', 'scim', 'domains', 'roles', 'logs'] as const;
export type SetupLinkScope = (typeof SETUP_LINK_SCOPES)[number];

export const DEFAULT_SETUP_LINK_TTL_HOURS = 72;
export const MAX_SETUP_LINK_TTL_HOURS = 168;

/** `POST /admin/v1/tenants/{slug}/setup-links` */
export const createSetupLinkInput = z
  .strictObject({
    scopes: z
      .array(z.enum(SETUP_LINK_SCOPES, { error: `must be some of ${SETUP_LINK_SCOPES.join(', ')}` }))
      .min(1, 'must name at least one scope')
      .transform((scopes) => SETUP_LINK_SCOPES.filter((scope) => scopes.includes(scope)))
      .default([...SETUP_LINK_SCOPES]),
    ttlHours: z
      .number({ error: 'must be a whole number of hours' })
      .int('must be a whole number of hours')
      .min(1, `must be between 1 and ${MAX_SETUP_LINK_TTL_HOURS} hours`)
      .max(MAX_SETUP_LINK_TTL_HOURS, `must be between 1 and ${MAX_SETUP_LINK_TTL_HOURS} hours`)
      .default(DEFAULT_SETUP_LINK_TTL_HOURS),
    email: z.email({ error: 'must be an email address' }).max(320, 'must be at most 320 characters').optional(),
  })
  .default({ scopes: [...SETUP_LINK_SCOPES], ttlHours: DEFAULT_SETUP_LINK_TTL_HOURS });
export type CreateSetupLinkInput = z.output<typeof createSetupLinkInput>;
