import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ScimTokensService, type ScimPrincipal } from '@app/identity';
import { RateLimits, bearerToken, tooManyRequests } from '@app/platform';
import { ScimError } from '@app/identity/scim/errors';
import type { FastifyReply } from 'fastify';
import { isOperationalRoute } from '../errors/operational-routes';
import { TenantTurns } from '../tenant-limits/tenant-turns';
import { AuthenticatedRequest } from './authenticated-request';

/**
 * Installed globally: every route of the SCIM app needs a tenant's bearer
 * token, the discovery endpoints included (RFC 7644 §4 leaves that to the
 * server; Okta and Entra send the token on every call, and an open
 * `/Schemas` would tell anyone what the gateway runs). Only the operational
 * probes (`/health/*`, `/metrics`) are open, as in the other apps.
 *
 * A refusal is a 401 `ScimError`; `ScimExceptionFilter` renders it in the
 * SCIM error schema with `WWW-Authenticate` (Okta expects the SCIM body).
 *
 * Rate limits (RateLimits): a valid token is paced per token, waiting for
 * room before it is ever refused; wrong tokens count against the client's
 * address, whose further failures are 429. Only failures count there, so a
 * valid token is never refused for what others sent from the same address.
 *
 * Then the request waits for its tenant's turn (TenantTurns, TenantLimiter) before any handler runs.
 */
@Injectable()
export class ScimAuthGuard implements CanActivate {
  constructor(
    private readonly tokens: ScimTokensService,
    private readonly limits: RateLimits,
    private readonly turns: TenantTurns,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    // The matched route pattern, not the raw URL: a crafted path cannot pass for a probe.
    if (isOperationalRoute(request.routeOptions.url ?? request.url)) return true;
    await this.authorize(request, context.switchToHttp().getResponse<FastifyReply>());
    return true;
  }

  /**
   * Everything the guard asks of a SCIM request (token, pace, the tenant's turn), for the routes Fastify
   * serves without Nest (UsersReadRoutes) too: the tenant's principal, also left on the request.
   */
  async authorize(request: AuthenticatedRequest, reply: FastifyReply): Promise<ScimPrincipal> {
    const token = bearerToken(request.headers.authorization);
    if (!token) throw new ScimError(401, undefined, 'a bearer token is required (Authorization: Bearer <token>)');
    const principal = await this.tokens.authenticate(token);
    if (!principal) {
      const failures = await this.limits.failedAuthentication(request);
      if (!failures.allowed) {
        throw tooManyRequests(reply, failures, 'too many failed authentications from this address; retry later');
      }
      // One answer for unknown, revoked and expired tokens: the difference is for the operator's logs, not the caller.
      throw new ScimError(401, undefined, 'the bearer token is not valid');
    }
    request.scimPrincipal = principal;
    const pace = await this.limits.paceScimToken(principal.tokenId);
    if (!pace.allowed) throw tooManyRequests(reply, pace, 'this token sends requests faster than allowed; retry later');
    await this.turns.take(request, reply, principal);
    return principal;
  }
}
