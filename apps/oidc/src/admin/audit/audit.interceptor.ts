import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { TenantsService } from '@app/identity';
import type { AuditEntryInput } from '@app/identity/audit/audit-entry';
import { redactSecrets } from '@app/identity/audit/secret-redaction';
import type { FastifyRequest } from 'fastify';
import { Observable, mergeMap } from 'rxjs';
import { adminActorOf } from '../admin-actor';
import { auditAction, isAuditedRequest } from './audit-action';
import { AuditRecorder } from './audit-recorder';
import { AUDIT_SECRET_FIELDS } from './audit-secret-fields.decorator';
import { AuditSnapshots } from './audit-snapshots';

const MAX_USER_AGENT = 300;

const stringParams = (params: unknown): Record<string, string> =>
  Object.fromEntries(
    Object.entries((params ?? {}) as Record<string, unknown>).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );

/** A tenant a body names (`{tenant: "acme"}` of a subscription). */
const tenantOfBody = (body: unknown): string | undefined => {
  const tenant = (body as { tenant?: unknown } | null | undefined)?.tenant;
  return typeof tenant === 'string' ? tenant : undefined;
};

/** The tenant a creation made (`POST /admin/v1/tenants` answers the tenant). */
const tenantOfResult = (result: unknown): AuditEntryInput['tenant'] => {
  const { id, slug } = (result ?? {}) as { id?: unknown; slug?: unknown };
  return typeof id === 'string' && typeof slug === 'string' ? { id, slug } : null;
};

/**
 * Begins the audit entry of every state-changing request under /admin/v1, whichever
 * controller serves it: who (the actor the guard admitted), what (the action, the route
 * pattern and its parameters), which tenant, the request body redacted, and the state
 * before where one is known. AuditRecorder completes it with the outcome: a success here,
 * before the answer is sent; a failure once the exception filter has rendered it.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Audit');

  constructor(
    private readonly recorder: AuditRecorder,
    private readonly snapshots: AuditSnapshots,
    private readonly tenants: TenantsService,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const route = request.routeOptions.url;
    if (!isAuditedRequest(request.method, route)) return next.handle();
    const actor = adminActorOf(request);
    if (!actor) {
      // Every admin route has a guard that names its actor: one without is a wiring bug.
      this.logger.error(`audit.no-actor route=${request.method} ${route}`);
      return next.handle();
    }
    const action = auditAction(context.getClass().name, context.getHandler().name);
    const params = stringParams(request.params);
    const slug = params.slug ?? tenantOfBody(request.body);
    const tenant = slug === undefined ? null : { id: await this.tenantId(slug), slug };
    const userAgent = request.headers['user-agent'];
    this.recorder.begin(request, {
      actor,
      tenant,
      action,
      method: request.method,
      route: route!,
      target: params,
      request: request.body === undefined ? null : redactSecrets(request.body),
      before: await this.snapshots.before(action, { params, tenantId: tenant?.id ?? null }),
      ip: request.ip ?? null,
      userAgent: typeof userAgent === 'string' ? userAgent.slice(0, MAX_USER_AGENT) : null,
      requestId: String(request.id),
      tenantOfResult: action === 'tenants.create' ? tenantOfResult : undefined,
      secretFields: Reflect.getMetadata(AUDIT_SECRET_FIELDS, context.getHandler()) as string[] | undefined,
    });
    // Nest answers a success with the route's @HttpCode, else 201 for POST and 200 for the rest.
    const status =
      (Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) as number | undefined) ??
      (request.method === 'POST' ? 201 : 200);
    return next.handle().pipe(
      mergeMap(async (result: unknown) => {
        await this.recorder.succeeded(request, status, result);
        return result;
      }),
    );
  }

  private async tenantId(slug: string): Promise<string | null> {
    return (await this.tenants.get(slug).catch(() => undefined))?.id ?? null;
  }
}
