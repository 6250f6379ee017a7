import { Injectable } from '@nestjs/common';
import { parseInput } from '../errors/parse-input';
import { LogPage, toLogPage } from '../request-log/log-page';
import { TenantsService } from '../tenants/tenants.service';
import { auditQuery, tenantAuditQuery } from './audit.query';
import { AuditEntryInput, AuditEntryView, toAuditEntryView } from './audit-entry';
import { AuditLogRepository } from './audit-log.repository';

/** The audit log of admin actions: recorded by the admin API, read by operators and tenant administrators. */
@Injectable()
export class AuditLogService {
  constructor(
    private readonly repository: AuditLogRepository,
    private readonly tenants: TenantsService,
  ) {}

  record(entry: AuditEntryInput): Promise<void> {
    return this.repository.append(entry);
  }

  /**
   * Every entry, newest first; with `tenant`, that slug's entries (a deleted tenant's too, so
   * an unknown slug is an empty list, not a 404).
   */
  async list(rawQuery: unknown): Promise<LogPage<AuditEntryView>> {
    const query = parseInput(auditQuery, rawQuery);
    const rows = await this.repository.read({
      tenantSlug: query.tenant,
      actor: query.actor,
      before: query.after,
      limit: query.limit,
    });
    return toLogPage(rows, query.limit, toAuditEntryView);
  }

  /** One tenant's entries, newest first: by its id, so a slug's earlier holder stays out of it. */
  async listForTenant(slug: string, rawQuery: unknown): Promise<LogPage<AuditEntryView>> {
    const query = parseInput(tenantAuditQuery, rawQuery);
    const tenant = await this.tenants.get(slug);
    const rows = await this.repository.read({
      tenantId: tenant.id,
      actor: query.actor,
      before: query.after,
      limit: query.limit,
    });
    return toLogPage(rows, query.limit, toAuditEntryView);
  }

  prune(olderThanMs: number, limit: number): Promise<number> {
    return this.repository.prune(olderThanMs, limit);
  }
}
