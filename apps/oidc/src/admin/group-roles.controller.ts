import { Body, Controller, Get, Param, Put, UseGuards } from '@nestjs/common';
import { AccessService, GroupRoleRule, GroupRoleRulesInput, groupRoleRulesInput } from '@app/identity';
import { AdminAuthGuard } from './admin-auth.guard';
import { ZodValidationPipe } from './zod-validation.pipe';

/** A tenant's rules from IdP groups to roles: operators only, since rules reach every user of the tenant. */
@Controller('admin/v1/tenants/:slug/group-roles')
@UseGuards(AdminAuthGuard)
export class GroupRolesController {
  constructor(private readonly access: AccessService) {}

  @Get()
  async get(@Param('slug') slug: string): Promise<{ rules: GroupRoleRule[] }> {
    return { rules: await this.access.groupRoleRules(slug) };
  }

  @Put()
  async replace(
    @Param('slug') slug: string,
    @Body(new ZodValidationPipe(groupRoleRulesInput)) input: GroupRoleRulesInput,
  ): Promise<{ rules: GroupRoleRule[] }> {
    return { rules: await this.access.replaceGroupRoleRules(slug, input.rules) };
  }
}
