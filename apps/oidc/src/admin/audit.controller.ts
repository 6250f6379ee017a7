import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import type { AuditEntryView } from '@app/identity/audit/audit-entry';
import { AuditLogService } from '@app/identity/audit/audit-log.service';
import type { LogPage } from '@app/identity/request-log/log-page';
import { auditQuery, tenantAuditQuery } from '@app/identity/audit/audit.query';
import { ApiResult, ApiZodQuery } from '../api-docs/api-docs.decorators';
import { AdminAuthGuard } from './admin-auth.guard';
import { PortalScope } from './portal-scope.decorator';
import { TenantAdminRoute } from './tenant-admin-route.decorator';

/**
 * The audit log of admin actions, newest first: all of it for the operator, one tenant's
 * part for that tenant's administrators as well. Reading it is not itself audited.
 */
@Controller('admin/v1')
@UseGuards(AdminAuthGuard)
export class AuditController {
  constructor(private readonly audit: AuditLogService) {}

  @Get('audit')
  @ApiZodQuery(auditQuery)
  @ApiResult('AuditPage', 'A page of the audit log, newest first.')
  list(@Query() query: unknown): Promise<LogPage<AuditEntryView>> {
    return this.audit.list(query);
  }

  @Get('tenants/:slug/audit')
  @TenantAdminRoute()
  @PortalScope('logs')
  @ApiZodQuery(tenantAuditQuery)
  @ApiResult('AuditPage', 'A page of the tenant’s audit log, newest first.')
  listForTenant(@Param('slug') slug: string, @Query() query: unknown): Promise<LogPage<AuditEntryView>> {
    return this.audit.listForTenant(slug, query);
  }
}
