import type { SignInFailureRecord } from '@app/identity/request-log/request-log.rows';
import type { SignInRequest } from './sign-in-request';

const MAX_TEXT = 300;

/** The page a failed sign-in shows, as the failure filter decided it. */
export interface FailedSignInPage {
  readonly status: number;
  readonly message: string;
  /** The tenant, when the refusal knew it before an attempt started (a tenant with no IdP connected). */
  readonly tenantId?: string;
  /** The product signed in to, when the refusal was a product's (the OpenID Provider's interaction). */
  readonly clientId?: string;
}

/** The path of a product's sign-in page at the gateway's OpenID Provider (`/oidc/interaction/{uid}`). */
const PRODUCT_SIGN_IN_PATH = /^\/oidc\/interaction\/[A-Za-z0-9_-]{1,64}$/;

/**
 * The row of a tenant's refused sign-ins for a failed request, once the request got far
 * enough to know its tenant (a login that named one, or a callback whose attempt was
 * found); undefined before that (an unknown tenant, a callback with no attempt): such a
 * failure belongs to no tenant.
 * `reason` is what the person was told; `detail` the cause as the logs name it.
 * A product's sign-in names its product: given by the interaction, or looked up from `return_to`.
 */
export function signInFailureRecord(
  request: SignInRequest,
  page: FailedSignInPage,
  detail: string | null,
  now: Date,
): SignInFailureRecord | undefined {
  const tenantId = request.signIn?.attempt.tenantId ?? page.tenantId;
  if (!tenantId) return undefined;
  const userAgent = request.headers['user-agent'];
  return {
    tenantId,
    occurredAt: now,
    status: page.status,
    reason: page.message.slice(0, MAX_TEXT),
    detail: detail === null || detail === page.message ? null : detail.slice(0, MAX_TEXT),
    ip: request.ip ?? null,
    userAgent: typeof userAgent === 'string' ? userAgent.slice(0, MAX_TEXT) : null,
    ...(page.clientId === undefined ? productReturn(request) : { clientId: page.clientId }),
  };
}

/**
 * A gateway sign-in made for a product returns to that product's sign-in page: the
 * attempt's `return_to` at the callback, the requested one at the login. The request
 * log looks the product up from it (the provider checks that it is its own page, in
 * progress), so a `return_to` made up by the visitor names no product.
 */
function productReturn(request: SignInRequest): { returnTo?: string } {
  const requested = (request.query as { return_to?: unknown } | undefined)?.return_to;
  const returnTo = request.signIn?.attempt.returnTo ?? (typeof requested === 'string' ? requested : undefined);
  if (returnTo === undefined) return {};
  try {
    const url = new URL(returnTo);
    return PRODUCT_SIGN_IN_PATH.test(url.pathname) && url.search === '' && url.hash === '' ? { returnTo } : {};
  } catch {
    return {};
  }
}
