import { z } from 'zod';
import { logPageQuery } from './log-page';

/**
 * `status`: one code (`409`) or a class (`4xx`); as a range of codes, so the query stays one
 * indexed scan of the tenant's rows.
 */
const statusFilter = z
  .string()
  .regex(/^[1-5]([0-9]{2}|xx)$/, 'must be a status code (409) or a class (4xx)')
  .transform((value) =>
    value.endsWith('xx')
      ? { min: Number(value[0]) * 100, max: Number(value[0]) * 100 + 99 }
      : { min: Number(value), max: Number(value) },
  );

/** GET /admin/v1/tenants/{slug}/scim-requests */
export const scimRequestsQuery = logPageQuery.extend({ status: statusFilter.optional() }).strict();
export type ScimRequestsQuery = z.output<typeof scimRequestsQuery>;

/** GET /admin/v1/tenants/{slug}/sign-in-failures */
export const signInFailuresQuery = logPageQuery.strict();
export type SignInFailuresQuery = z.output<typeof signInFailuresQuery>;
