import { z } from 'zod';
import { isHttpUrl } from '../errors/input-fields';

/** Client authentication methods at the token endpoint that a confidential web app can use. */
export const TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'] as const;
export type TokenEndpointAuthMethod = (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number];

const DEFAULT_SCOPES = ['openid', 'profile', 'email'];

// RFC 6749 §3.3: scope tokens are printable ASCII without spaces, quotes or backslashes.
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

const absoluteUrl = (what: string) =>
  z
    .string({ error: `must be ${what}` })
    .trim()
    .max(2000, 'must be at most 2000 characters')
    .refine((value) => isConnectionUrl(value), `must be ${what}`);

/**
 * `PUT /admin/v1/tenants/{slug}/oidc`. An issuer given as a bare Okta domain
 * (`acme.okta.com`) means `https://acme.okta.com`; a trailing slash is dropped,
 * because openid-client compares the discovered issuer exactly.
 */
export const putOidcConnectionInput = z.strictObject({
  issuer: z
    .string({ error: 'must be the issuer URL, e.g. https://acme.okta.com or https://acme.okta.com/oauth2/default' })
    .trim()
    .min(1, 'must not be empty')
    .max(2000, 'must be at most 2000 characters')
    .transform((value) => (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`).replace(/\/+$/, ''))
    .refine((value) => isConnectionUrl(value, { bare: true }), {
      message: 'must be an http(s) URL without query or fragment',
    }),
  clientId: z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty').max(255, 'is too long'),
  clientSecret: z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(1024, 'is too long'),
  scopes: z
    .array(z.string({ error: 'must be a string' }).regex(SCOPE_TOKEN, 'must be a scope name'), {
      error: 'must be a list of scopes',
    })
    .max(50, 'at most 50 scopes')
    .refine((scopes) => scopes.includes('openid'), 'must include "openid"')
    .transform((scopes) => [...new Set(scopes)])
    .default(DEFAULT_SCOPES),
  groupsClaim: z
    .string({ error: 'must be a claim name' })
    .trim()
    .min(1, 'must not be empty')
    .max(200, 'is too long')
    .nullable()
    .default(null),
  postLogoutRedirectUri: absoluteUrl('an http(s) URL').nullable().default(null),
  allowedReturnUrls: z
    .array(absoluteUrl('an http(s) URL'), { error: 'must be a list of URLs' })
    .max(100, 'at most 100 URLs')
    .transform((urls) => [...new Set(urls)])
    .default([]),
  // Which claim holds the id SCIM provisioned as externalId: Okta's `sub` by default; with Microsoft
  // Entra ID, whose `sub` is pairwise, the claim that carries the attribute its SCIM mapping sends (e.g. `oid`).
  externalIdClaim: z
    .string({ error: 'must be a claim name' })
    .trim()
    .min(1, 'must not be empty')
    .max(200, 'is too long')
    .default('sub'),
  tokenEndpointAuthMethod: z
    .enum(TOKEN_ENDPOINT_AUTH_METHODS, { error: `must be one of ${TOKEN_ENDPOINT_AUTH_METHODS.join(', ')}` })
    .default('client_secret_basic'),
});
export type PutOidcConnectionInput = z.output<typeof putOidcConnectionInput>;

/** An http(s) URL without credentials in it; `bare`: without query or fragment either (an issuer). */
function isConnectionUrl(value: string, { bare = false } = {}): boolean {
  if (!isHttpUrl(value)) return false;
  const url = new URL(value);
  return !url.username && (!bare || (!url.search && !url.hash));
}
