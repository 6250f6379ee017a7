import { Body, Controller, Get, Param, Put, Query, UseGuards } from '@nestjs/common';
import {
  AccessService,
  ListTenantUsersQuery,
  SetRolesInput,
  SetTeamsInput,
  TenantUserPage,
  TenantUserView,
  listTenantUsersQuery,
  setRolesInput,
  setTeamsInput,
} from '@app/identity';
import { ApiResult } from '../api-docs/api-docs.decorators';
import { AdminAuthGuard } from './admin-auth.guard';
import { PortalScope } from './portal-scope.decorator';
import { TenantAdminRoute } from './tenant-admin-route.decorator';
import { ZodValidationPipe } from './zod-validation.pipe';

/** A tenant's users and what they are granted. */
@Controller('admin/v1/tenants/:slug/users')
@UseGuards(AdminAuthGuard)
@TenantAdminRoute()
@PortalScope('roles')
export class TenantUsersController {
  constructor(private readonly access: AccessService) {}

  @Get()
  @ApiResult('TenantUserPage', 'A page of the tenant’s users.')
  list(
    @Param('slug') slug: string,
    @Query(new ZodValidationPipe(listTenantUsersQuery)) query: ListTenantUsersQuery,
  ): Promise<TenantUserPage> {
    return this.access.listUsers(slug, query);
  }

  @Put(':id/roles')
  @ApiResult('TenantUser', 'The user as changed.')
  setRoles(
    @Param('slug') slug: string,
    @Param('id') id: string,
    @Body(new ZodValidationPipe(setRolesInput)) input: SetRolesInput,
  ): Promise<TenantUserView> {
    return this.access.setRoles(slug, id, input.roles);
  }

  @Put(':id/teams')
  @ApiResult('TenantUser', 'The user as changed.')
  setTeams(
    @Param('slug') slug: string,
    @Param('id') id: string,
    @Body(new ZodValidationPipe(setTeamsInput)) input: SetTeamsInput,
  ): Promise<TenantUserView> {
    return this.access.setTeams(slug, id, input.teams);
  }
}
