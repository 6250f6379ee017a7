import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import type { ScimPrincipal } from '@app/identity';
import { AuthenticatedRequest, principalOf } from './authenticated-request';

/**
 * The tenant (and token) of the authenticated SCIM request:
 * `list(@Principal() principal: ScimPrincipal)`, then `users.find(principal.tenantId, …)`.
 */
export const Principal = createParamDecorator((_data: unknown, context: ExecutionContext): ScimPrincipal =>
  principalOf(context.switchToHttp().getRequest<AuthenticatedRequest>()),
);
