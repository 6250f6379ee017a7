import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { AuditEntryInput } from '@app/identity/audit/audit-entry';
import { AuditLogService } from '@app/identity/audit/audit-log.service';
import { redactSecrets } from '@app/identity/audit/secret-redaction';
import { errorCode } from '@app/identity/request-log/error-code';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** An audited request on its way: everything but its outcome. */
export type PendingAuditEntry = Omit<AuditEntryInput, 'status' | 'after'> & {
  /** The handler's result, once it returned. */
  result?: unknown;
  /** The tenant a creation made, known only from its result. */
  tenantOfResult?: (result: unknown) => AuditEntryInput['tenant'];
};

/**
 * Writes the audit entry of each request AuditInterceptor began, once its status is final
 * (the exception filter has rendered any error): in Fastify's onSend, so the entry is in
 * PostgreSQL before the client has its answer. The response body recorded is the
 * handler's result, redacted (a shown-once secret never reaches the log).
 */
@Injectable()
export class AuditRecorder implements OnModuleInit {
  private readonly logger = new Logger('Audit');
  private readonly pending = new WeakMap<FastifyRequest, PendingAuditEntry>();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly audit: AuditLogService,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onSend', async (request, reply, payload) => {
      await this.complete(request, reply);
      return payload;
    });
  }

  begin(request: FastifyRequest, entry: PendingAuditEntry): PendingAuditEntry {
    this.pending.set(request, entry);
    return entry;
  }

  private async complete(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const entry = this.pending.get(request);
    if (!entry) return;
    this.pending.delete(request);
    const succeeded = reply.statusCode < 400;
    const { result, tenantOfResult, ...rest } = entry;
    const record: AuditEntryInput = {
      ...rest,
      tenant: rest.tenant ?? (succeeded && tenantOfResult ? tenantOfResult(result) : null),
      status: reply.statusCode,
      after: succeeded && result !== undefined ? redactSecrets(result) : null,
    };
    try {
      await this.audit.record(record);
    } catch (error) {
      // The action is done (or refused) either way; a lost entry is loud in the logs.
      this.logger.error(`audit.entry.lost action=${record.action} status=${record.status} reason=${errorCode(error)}`);
    }
  }
}
