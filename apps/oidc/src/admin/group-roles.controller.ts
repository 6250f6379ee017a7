import { Body, Controller, Get, HttpCode, Param, Post, Put, UseGuards } from '@nestjs/common';
import { AccessService, GroupRoleRule, GroupRoleRulesInput, groupRoleRulesInput } from '@app/identity';
import type { GroupRolesPreviewView } from '@app/identity/access/access.service';
import { ApiResult } from '../api-docs/api-docs.decorators';
import { AdminAuthGuard } from './admin-auth.guard';
import { PortalScope } from './portal-scope.decorator';
import { ZodValidationPipe } from './zod-validation.pipe';

/** A tenant's rules from IdP groups to roles: operators, and the tenant's setup portal (scope `roles`). */
@Controller('admin/v1/tenants/:slug/group-roles')
@UseGuards(AdminAuthGuard)
export class GroupRolesController {
  constructor(private readonly access: AccessService) {}

  @Get()
  @PortalScope('roles')
  @ApiResult('GroupRoleRules', 'The tenant’s rules.')
  async get(@Param('slug') slug: string): Promise<{ rules: GroupRoleRule[] }> {
    return { rules: await this.access.groupRoleRules(slug) };
  }

  @Put()
  @PortalScope('roles')
  @ApiResult('GroupRoleRules', 'The rules as saved.')
  async replace(
    @Param('slug') slug: string,
    @Body(new ZodValidationPipe(groupRoleRulesInput)) input: GroupRoleRulesInput,
  ): Promise<{ rules: GroupRoleRule[] }> {
    return { rules: await this.access.replaceGroupRoleRules(slug, input.rules) };
  }

  /** Who would gain and lose which roles if `rules` were saved; saves nothing. */
  @Post('preview')
  @PortalScope('roles')
  @HttpCode(200)
  preview(
    @Param('slug') slug: string,
    @Body(new ZodValidationPipe(groupRoleRulesInput)) input: GroupRoleRulesInput,
  ): Promise<GroupRolesPreviewView> {
    return this.access.previewGroupRoleRules(slug, input.rules);
  }
}
