import { z } from 'zod';
import { SLUG_PATTERN } from '../tenants/tenant.input';
import type { ProductGrantType } from './product-client.row';

const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;

/** What a product gets when `grantTypes` is not given: sign-in with refresh tokens. */
export const DEFAULT_GRANT_TYPES: ProductGrantType[] = ['authorization_code', 'refresh_token'];

const name = z
  .string({ error: 'must be a string' })
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters');

/** OAuth 2.0 §3.1.2: an absolute URI without a fragment, compared exactly at the authorization endpoint. */
const redirectUri = z
  .string({ error: 'must be a string' })
  .max(2048, 'must be at most 2048 characters')
  .refine(isRedirectableUrl, 'must be an absolute http:// or https:// URL without a #fragment');

const uriList = z
  .array(redirectUri, { error: 'must be a list of URLs' })
  .max(20, 'at most 20 URLs')
  .transform((list) => [...new Set(list)]);

const tenants = z
  .array(
    z
      .string({ error: 'must be a string' })
      .refine((slug) => slug === '*' || SLUG_PATTERN.test(slug), 'must be a tenant slug or *'),
    { error: 'must be a list of tenant slugs, or ["*"]' },
  )
  .min(1, 'must name at least one tenant, or "*" for every tenant')
  .max(500, 'at most 500 tenants')
  .transform((list) => [...new Set(list)])
  .refine((list) => !list.includes('*') || list.length === 1, '"*" (every tenant) stands alone');

const grantTypes = z
  .array(z.enum(GRANT_TYPES, { error: `must be one of ${GRANT_TYPES.join(', ')}` }), {
    error: 'must be a list of grant types',
  })
  .min(1, 'must name at least one grant type')
  .transform((list) => [...new Set(list)]);

/** `POST /admin/v1/clients` */
export const createProductClientInput = z.strictObject({
  name,
  redirectUris: uriList.optional(),
  postLogoutRedirectUris: uriList.optional(),
  backchannelLogoutUri: redirectUri.optional(),
  tenants: tenants.optional(),
  grantTypes: grantTypes.optional(),
  public: z.boolean({ error: 'must be true or false' }).optional(),
});
export type CreateProductClientInput = z.output<typeof createProductClientInput>;

/** `PATCH /admin/v1/clients/{clientId}`: any subset; `backchannelLogoutUri: null` removes it. Not `public`. */
export const updateProductClientInput = z
  .strictObject({
    name: name.optional(),
    redirectUris: uriList.optional(),
    postLogoutRedirectUris: uriList.optional(),
    backchannelLogoutUri: redirectUri.nullable().optional(),
    tenants: tenants.optional(),
    grantTypes: grantTypes.optional(),
  })
  .refine((input) => Object.values(input).some((value) => value !== undefined), 'nothing to change');
export type UpdateProductClientInput = z.output<typeof updateProductClientInput>;

/** The parts of a client whose combination must make sense. */
export interface ProductClientShape {
  readonly public: boolean;
  readonly redirectUris: readonly string[];
  readonly grantTypes: readonly ProductGrantType[];
}

/** What is wrong with a client as a whole (empty when nothing is), checked at creation and after each change. */
export function productClientProblems(client: ProductClientShape): string[] {
  const problems: string[] = [];
  const grants = new Set(client.grantTypes);
  if (grants.has('authorization_code') && client.redirectUris.length === 0) {
    problems.push('redirectUris: sign-in (authorization_code) needs at least one redirect URI');
  }
  if (grants.has('refresh_token') && !grants.has('authorization_code')) {
    problems.push('grantTypes: refresh_token comes with authorization_code');
  }
  if (grants.has('client_credentials') && client.public) {
    // RFC 6749 §4.4: only a confidential client can authenticate for itself.
    problems.push('grantTypes: a public client cannot use client_credentials');
  }
  return problems;
}

function isRedirectableUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'https:' || url.protocol === 'http:') &&
      url.hostname !== '' &&
      url.hash === '' &&
      !value.includes('#')
    );
  } catch {
    return false;
  }
}
