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
import { BrowserCaller, admitBrowser } from '../portal/browser-admission';
import { BrowserSessionsResolver } from '../portal/browser-sessions.resolver';
import { CSRF_HEADER, CsrfError, CsrfTokens, isSafeMethod } from '../portal/csrf-tokens';
import { rememberAdminActor } from './admin-actor';
import { PORTAL_SCOPE } from './portal-scope.decorator';
import { TENANT_ADMIN_ROUTE } from './tenant-admin-route.decorator';

export { TENANT_ADMIN_ROLE } from '../portal/browser-admission';

/**
 * Admits four kinds of caller (see browser-admission.ts for the browser's three):
 * - the operator's ADMIN_TOKEN as a bearer, compared in constant time, everywhere;
 * - the operator's console session (`gw_console`, or the sign-in of an operator of
 *   OPERATORS_TENANT), everywhere;
 * - a setup link's portal session (`gw_portal`) on @PortalScope routes of its tenant;
 * - a signed-in tenant `admin` on @TenantAdminRoute and @PortalScope routes of their tenant.
 * A state-changing request that a cookie authenticates must carry its session's CSRF token
 * (a bearer needs none: no browser sends it by itself). A wrong admin token counts against
 * the client's address; past the limit the answer is 429 (only failures are counted).
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
    private readonly reflector: Reflector,
    private readonly browsers: BrowserSessionsResolver,
    private readonly csrf: CsrfTokens,
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
    const targets = [context.getHandler(), context.getClass()];
    const admission = admitBrowser(await this.browsers.sessions(request), {
      slug: (request.params as { slug?: string }).slug,
      portalScope: this.reflector.getAllAndOverride<string | undefined>(PORTAL_SCOPE, targets),
      tenantAdminRoute: this.reflector.getAllAndOverride<boolean | undefined>(TENANT_ADMIN_ROUTE, targets) === true,
      operatorsTenant: this.config.operatorsTenant,
    });
    if (!admission.admitted) {
      throw admission.status === 401
        ? new UnauthorizedException(admission.message)
        : new ForbiddenException(admission.message);
    }
    rememberAdminActor(request, this.callerOf(request, admission.callers).actor);
    return true;
  }

  /** The caller whose CSRF token the request carries; any admitted one for a request that changes nothing. */
  private callerOf(request: FastifyRequest, callers: readonly BrowserCaller[]): BrowserCaller {
    if (isSafeMethod(request.method)) return callers[0];
    const given = request.headers[CSRF_HEADER];
    const caller = callers.find(({ csrf }) => this.csrf.matches(given, csrf.kind, csrf.sessionId));
    if (!caller) throw new CsrfError();
    return caller;
  }
}
