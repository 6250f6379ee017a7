import type { SignInFailureRecord } from '@app/identity/request-log/request-log.rows';
import type { SignInRequest } from './sign-in-request';

const MAX_TEXT = 300;

/** The page a failed sign-in shows, as the failure filter decided it. */
export interface FailedSignInPage {
  readonly status: number;
  readonly message: string;
  /** The tenant, when the refusal knew it before an attempt started (a tenant with no IdP connected). */
  readonly tenantId?: string;
}

/**
 * The row of a tenant's refused sign-ins for a failed request, once the request got far
 * enough to know its tenant (a login that named one, or a callback whose attempt was
 * found); undefined before that (an unknown tenant, a callback with no attempt): such a
 * failure belongs to no tenant.
 * `reason` is what the person was told; `detail` the cause as the logs name it.
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
  };
}
