import type { AuditActor } from '@app/identity/audit/audit-actor';
import type { FastifyRequest } from 'fastify';

const actors = new WeakMap<FastifyRequest, AuditActor>();

/** Notes who a request of the admin API acts as, once its guard admitted it (for the audit log). */
export function rememberAdminActor(request: FastifyRequest, actor: AuditActor): void {
  actors.set(request, actor);
}

/** Who the request acts as; undefined when no guard admitted it. */
export function adminActorOf(request: FastifyRequest): AuditActor | undefined {
  return actors.get(request);
}
