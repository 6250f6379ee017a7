import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, UseGuards } from '@nestjs/common';
import {
  CreateTenantInput,
  TenantView,
  TenantsService,
  UpdateTenantInput,
  createTenantInput,
  toTenantView,
  updateTenantInput,
} from '@app/identity';
import { APP_CONFIG, ResolvedConfig } from '@app/platform';
import { ApiResult, listOf } from '../api-docs/api-docs.decorators';
import { AdminAuthGuard } from './admin-auth.guard';
import { PortalScope } from './portal-scope.decorator';
import { ZodValidationPipe } from './zod-validation.pipe';

@Controller('admin/v1/tenants')
@UseGuards(AdminAuthGuard)
export class TenantsController {
  constructor(
    private readonly tenants: TenantsService,
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
  ) {}

  @Post()
  @ApiResult('Tenant', 'The tenant.')
  async create(@Body(new ZodValidationPipe(createTenantInput)) input: CreateTenantInput): Promise<TenantView> {
    return toTenantView(await this.tenants.create(input), this.config);
  }

  @Get()
  @ApiResult(listOf('tenants', 'Tenant'), 'Every tenant.')
  async list(): Promise<{ tenants: TenantView[] }> {
    return { tenants: (await this.tenants.list()).map((tenant) => toTenantView(tenant, this.config)) };
  }

  @Get(':slug')
  @PortalScope()
  @ApiResult('Tenant', 'The tenant.')
  async get(@Param('slug') slug: string): Promise<TenantView> {
    return toTenantView(await this.tenants.get(slug), this.config);
  }

  @Patch(':slug')
  @ApiResult('Tenant', 'The tenant as changed.')
  async update(
    @Param('slug') slug: string,
    @Body(new ZodValidationPipe(updateTenantInput)) input: UpdateTenantInput,
  ): Promise<TenantView> {
    return toTenantView(await this.tenants.update(slug, input), this.config);
  }

  @Delete(':slug')
  @HttpCode(204)
  async delete(@Param('slug') slug: string): Promise<void> {
    await this.tenants.delete(slug);
  }
}
