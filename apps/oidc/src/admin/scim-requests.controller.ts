import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import type { LogPage } from '@app/identity/request-log/log-page';
import type { ScimRequestView, SignInFailureView } from '@app/identity/request-log/request-log.rows';
import { RequestLogService } from '@app/identity/request-log/request-log.service';
import { scimRequestsQuery, signInFailuresQuery } from '@app/identity/request-log/request-log.query';
import { ApiZodQuery } from '../api-docs/api-docs.decorators';
import { AdminAuthGuard } from './admin-auth.guard';
import { PortalScope } from './portal-scope.decorator';

/** What a tenant's IdP sent and was answered: its SCIM requests and its users' refused sign-ins, newest first. */
@Controller('admin/v1/tenants/:slug')
@UseGuards(AdminAuthGuard)
@PortalScope('logs')
export class ScimRequestsController {
  constructor(private readonly requestLog: RequestLogService) {}

  @Get('scim-requests')
  @ApiZodQuery(scimRequestsQuery)
  scimRequests(@Param('slug') slug: string, @Query() query: unknown): Promise<LogPage<ScimRequestView>> {
    return this.requestLog.listScimRequests(slug, query);
  }

  @Get('sign-in-failures')
  @ApiZodQuery(signInFailuresQuery)
  signInFailures(@Param('slug') slug: string, @Query() query: unknown): Promise<LogPage<SignInFailureView>> {
    return this.requestLog.listSignInFailures(slug, query);
  }
}
