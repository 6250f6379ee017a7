import { z } from 'zod';

/** `POST /admin/v1/tenants/{slug}/scim-tokens` */
export const issueScimTokenInput = z
  .strictObject({
    expiresAt: z.iso
      .datetime({ offset: true, error: 'must be an ISO 8601 date-time such as 2027-01-31T00:00:00Z' })
      .transform((value) => new Date(value))
      .refine((date) => date.getTime() > Date.now(), 'must be in the future')
      .optional(),
  })
  .default({});
export type IssueScimTokenInput = z.output<typeof issueScimTokenInput>;
