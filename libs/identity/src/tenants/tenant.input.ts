import { z } from 'zod';

/** Tenant slugs double as subdomains, so they follow DNS label rules (RFC 1123), in lowercase. */
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** An email domain: DNS labels (RFC 1123), lowercase, ending in an alphabetic top-level label. */
export const DOMAIN_PATTERN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

const slug = z
  .string({ error: 'must be a string' })
  .regex(SLUG_PATTERN, 'must be 1 to 63 lowercase letters, digits or dashes, not starting or ending with a dash');

const name = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters');

const domains = z
  .array(
    z
      .string({ error: 'must be a string' })
      .trim()
      .toLowerCase()
      .regex(DOMAIN_PATTERN, 'must be a domain name such as example.com'),
    { error: 'must be a list of domain names' },
  )
  .max(100, 'at most 100 domains')
  .transform((list) => [...new Set(list)]);

const signIn = z.enum(['jit', 'provisioned-only'], { error: 'must be "jit" or "provisioned-only"' });

/** `POST /admin/v1/tenants` */
export const createTenantInput = z.strictObject({
  slug,
  name,
  domains: domains.default([]),
  signIn: signIn.default('jit'),
});
export type CreateTenantInput = z.output<typeof createTenantInput>;

/** `PATCH /admin/v1/tenants/{slug}`: any subset of the mutable fields. The slug is immutable: IdPs hold URLs with it. */
export const updateTenantInput = z
  .strictObject({ name: name.optional(), domains: domains.optional(), signIn: signIn.optional() })
  .refine((input) => Object.values(input).some((value) => value !== undefined), 'nothing to change');
export type UpdateTenantInput = z.output<typeof updateTenantInput>;

/** Validates a slug taken from a URL. */
export function isSlug(value: string): boolean {
  return SLUG_PATTERN.test(value);
}
