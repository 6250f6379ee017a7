import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ScimError } from '@app/identity/scim/errors';
import type { FastifyRequest } from 'fastify';

/**
 * RFC 7644 §4: discovery endpoints ignore sorting and paging, but a `filter`
 * SHOULD get 403, so a client never believes its conditions were applied.
 */
@Injectable()
export class DiscoveryQueryGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const query = context.switchToHttp().getRequest<FastifyRequest>().query as Record<string, unknown> | undefined;
    if (query && Object.hasOwn(query, 'filter')) {
      throw new ScimError(403, undefined, 'filtering is not supported on discovery endpoints (RFC 7644 §4)');
    }
    return true;
  }
}
