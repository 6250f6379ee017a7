import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { AuditEntryInput } from '@app/identity/audit/audit-entry';
import { AuditLogService } from '@app/identity/audit/audit-log.service';
import { REDACTED, redactSecrets } from '@app/identity/audit/secret-redaction';
import { errorCode } from '@app/identity/request-log/error-code';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** An audited request on its way: everything but its outcome. */
export type PendingAuditEntry = Omit<AuditEntryInput, 'status' | 'after'> & {
  /** The tenant a creation made, known only from its result. */
  tenantOfResult?: (result: unknown) => AuditEntryInput['tenant'];
  /** Top-level fields of the result to redact besides the secret-named ones (@AuditSecretFields). */
  secretFields?: readonly string[];
};

/**
 * Writes the audit entry of each request AuditInterceptor began, before the client has its
 * answer: a success as the handler returns (its result, redacted, is the `after`: a
 * shown-once secret never reaches the log); a failure in Fastify's onSend, once the
 * exception filter has rendered it and its status is final.
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
      const entry = this.pending.get(request);
      if (entry) await this.complete(request, entry, reply.statusCode, undefined);
      return payload;
    });
  }

  begin(request: FastifyRequest, entry: PendingAuditEntry): void {
    this.pending.set(request, entry);
  }

  /** The handler returned `result`, to be answered with `status`. */
  async succeeded(request: FastifyRequest, status: number, result: unknown): Promise<void> {
    const entry = this.pending.get(request);
    if (entry) await this.complete(request, entry, status, result);
  }

  private async complete(
    request: FastifyRequest,
    entry: PendingAuditEntry,
    status: number,
    result: unknown,
  ): Promise<void> {
    this.pending.delete(request);
    const succeeded = status < 400;
    const { tenantOfResult, secretFields, ...rest } = entry;
    const record: AuditEntryInput = {
      ...rest,
      tenant: rest.tenant ?? (succeeded && tenantOfResult ? tenantOfResult(result) : null),
      status,
      after: succeeded && result !== undefined ? redactSecrets(withoutFields(result, secretFields)) : null,
    };
    try {
      await this.audit.record(record);
    } catch (error) {
      // The action is done (or refused) either way; a lost entry is loud in the logs.
      this.logger.error(`audit.entry.lost action=${record.action} status=${record.status} reason=${errorCode(error)}`);
    }
  }
}

/** `result` with these top-level fields redacted. */
function withoutFields(result: unknown, fields: readonly string[] | undefined): unknown {
  if (!fields?.length || typeof result !== 'object' || result === null || Array.isArray(result)) return result;
  const copy: Record<string, unknown> = { ...(result as Record<string, unknown>) };
  for (const field of fields) if (field in copy) copy[field] = REDACTED;
  return copy;
}
