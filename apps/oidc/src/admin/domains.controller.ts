import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import type { DomainView } from '@app/identity/domains/domain-claim';
import { AddDomainInput, addDomainInput } from '@app/identity/domains/domain.input';
import { DomainsService } from '@app/identity/domains/domains.service';
import { ApiResult, listOf } from '../api-docs/api-docs.decorators';
import { AdminAuthGuard } from './admin-auth.guard';
import { PortalScope } from './portal-scope.decorator';
import { ZodValidationPipe } from './zod-validation.pipe';

/** A tenant's email domains: the operator's, and those its administrator claims and proves by DNS. */
@Controller('admin/v1/tenants/:slug/domains')
@UseGuards(AdminAuthGuard)
export class DomainsController {
  constructor(private readonly domains: DomainsService) {}

  @Get()
  @PortalScope('domains')
  @ApiResult(listOf('data', 'Domain'), 'The tenant’s domains.')
  async list(@Param('slug') slug: string): Promise<{ data: DomainView[] }> {
    return { data: await this.domains.list(slug) };
  }

  @Post()
  @PortalScope('domains')
  @ApiResult('Domain', 'The domain, with the TXT record to publish.')
  add(
    @Param('slug') slug: string,
    @Body(new ZodValidationPipe(addDomainInput)) input: AddDomainInput,
  ): Promise<DomainView> {
    return this.domains.add(slug, input);
  }

  @Post(':domain/verify')
  @HttpCode(200)
  @PortalScope('domains')
  @ApiResult('Domain', 'The domain as it stands after the DNS lookup.')
  verify(@Param('slug') slug: string, @Param('domain') domain: string): Promise<DomainView> {
    return this.domains.verify(slug, domain);
  }

  @Delete(':domain')
  @HttpCode(204)
  @PortalScope('domains')
  async remove(@Param('slug') slug: string, @Param('domain') domain: string): Promise<void> {
    await this.domains.remove(slug, domain);
  }
}
