import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { APP_CONFIG, RateLimits, ResolvedConfig, bearerToken, tooManyRequests } from '@app/platform';
import { secretsEqual } from '@app/identity';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { operatorActor } from '@app/identity/audit/audit-actor';
import { SessionUsers } from '../sessions/session-users';
import { rememberAdminActor } from './admin-actor';
import { TENANT_ADMIN_ROUTE } from './tenant-admin-route.decorator';

/** The role that lets a signed-in user manage their own tenant's users. */
export const TENANT_ADMIN_ROLE = 'admin';

/**
 * Admits requests bearing the operator's ADMIN_TOKEN, compared in constant
 * time; on routes marked @TenantAdminRoute, also a signed-in user with the
 * role `admin`, for their own tenant only. The session cookie is SameSite=Lax
 * and these routes take JSON, so another site cannot make a browser send them.
 * A wrong admin token counts against the client's address; past the limit the
 * answer is 429 (the right token still passes: only failures are counted).
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
    private readonly reflector: Reflector,
    private readonly sessionUsers: SessionUsers,
    private readonly limits: RateLimits,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const token = bearerToken(request.headers.authorization);
    if (token) {
      if (!secretsEqual(token, this.config.adminToken)) {
        const failures = await this.limits.failedAuthentication(request);
        if (!failures.allowed) {
          const reply = context.switchToHttp().getResponse<FastifyReply>();
          throw tooManyRequests(reply, failures, 'too many failed authentications from this address; retry later');
        }
        throw new UnauthorizedException('invalid admin token');
      }
      rememberAdminActor(request, operatorActor(token));
      return true;
    }
    const tenantAdminRoute = this.reflector.getAllAndOverride<boolean | undefined>(TENANT_ADMIN_ROUTE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!tenantAdminRoute) throw new UnauthorizedException('missing bearer token');
    const current = await this.sessionUsers.current(request);
    if (!current) throw new UnauthorizedException('sign in, or send the admin token');
    const slug = (request.params as { slug?: string }).slug;
    if (current.user.tenantSlug !== slug || !current.user.roles.includes(TENANT_ADMIN_ROLE)) {
      throw new ForbiddenException(`only an administrator of tenant "${slug}" may do this`);
    }
    rememberAdminActor(request, { type: 'user', id: current.user.id, label: current.user.userName });
    return true;
  }
}
