import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable, finalize } from 'rxjs';
import { AuthenticatedRequest } from '../auth/authenticated-request';
import { TenantLimiter } from './tenant-limiter';

/**
 * Runs each authenticated SCIM request in a turn of its tenant (see
 * TenantLimiter): after the bearer token is checked, so the token names the
 * tenant, and before the handler touches the database. The turn ends when the
 * handler's answer is settled, error or not. The probes have no tenant and pass.
 */
@Injectable()
export class TenantLimitsInterceptor implements NestInterceptor {
  constructor(private readonly limiter: TenantLimiter) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().scimPrincipal;
    if (!principal) return next.handle();
    const release = await this.limiter.acquire(principal.tenantId, principal.tokenId);
    try {
      return next.handle().pipe(finalize(release));
    } catch (error) {
      release();
      throw error;
    }
  }
}
