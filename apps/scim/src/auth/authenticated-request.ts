import type { ScimPrincipal } from '@app/identity';
import type { FastifyRequest } from 'fastify';

/** A request that passed `ScimAuthGuard`: it carries the tenant its token names. */
export type AuthenticatedRequest = FastifyRequest & { scimPrincipal?: ScimPrincipal };

/**
 * The principal `ScimAuthGuard` attached. Its absence is a wiring bug (a route
 * the guard skipped asking for a tenant), so it fails loudly rather than
 * letting a handler run without a tenant.
 */
export function principalOf(request: AuthenticatedRequest): ScimPrincipal {
  if (!request.scimPrincipal)
    throw new Error('no SCIM principal on the request: is ScimAuthGuard installed for this route?');
  return request.scimPrincipal;
}
