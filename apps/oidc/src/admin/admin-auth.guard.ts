import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { APP_CONFIG, ResolvedConfig, bearerToken } from '@app/platform';
import { secretsEqual } from '@app/identity';
import type { FastifyRequest } from 'fastify';

/** Admits requests bearing the operator's ADMIN_TOKEN, compared in constant time. */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: ResolvedConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const token = bearerToken(request.headers.authorization);
    if (!token) throw new UnauthorizedException('missing bearer token');
    if (!secretsEqual(token, this.config.adminToken)) throw new UnauthorizedException('invalid admin token');
    return true;
  }
}
