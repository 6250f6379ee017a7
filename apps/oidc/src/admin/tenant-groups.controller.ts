import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { AccessService } from '@app/identity';
import type { TenantGroupPage } from '@app/identity/access/access.service';
import { listTenantGroupsQuery } from '@app/identity/access/access.input';
import { ApiResult, ApiZodQuery } from '../api-docs/api-docs.decorators';
import { AdminAuthGuard } from './admin-auth.guard';
import { PortalScope } from './portal-scope.decorator';

/** The IdP groups a tenant's SCIM client pushed, with member counts: what group-role rules can name. */
@Controller('admin/v1/tenants/:slug/groups')
@UseGuards(AdminAuthGuard)
export class TenantGroupsController {
  constructor(private readonly access: AccessService) {}

  @Get()
  @PortalScope('roles')
  @ApiZodQuery(listTenantGroupsQuery)
  @ApiResult('TenantGroupPage', 'A page of the tenant’s groups.')
  list(@Param('slug') slug: string, @Query() query: unknown): Promise<TenantGroupPage> {
    return this.access.listGroups(slug, query);
  }
}
