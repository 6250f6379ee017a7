import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { CreateSetupLinkInput, createSetupLinkInput } from '@app/identity/setup-links/setup-link.input';
import type { SetupLinkView } from '@app/identity/setup-links/setup-link.view';
import { CreatedSetupLink, SetupLinksService } from '@app/identity/setup-links/setup-links.service';
import type { FastifyRequest } from 'fastify';
import { PortalSessions } from '../portal/portal-sessions';
import { ApiResult, listOf } from '../api-docs/api-docs.decorators';
import { adminActorOf } from './admin-actor';
import { AdminAuthGuard } from './admin-auth.guard';
import { AuditSecretFields } from './audit/audit-secret-fields.decorator';
import { ZodValidationPipe } from './zod-validation.pipe';

/** Links to a tenant's setup portal. Operators only: a portal session cannot hand out more portal sessions. */
@Controller('admin/v1/tenants/:slug/setup-links')
@UseGuards(AdminAuthGuard)
export class SetupLinksController {
  constructor(
    private readonly links: SetupLinksService,
    private readonly portals: PortalSessions,
  ) {}

  /** The link's secret is in `url`, shown this once. */
  @Post()
  @AuditSecretFields('url')
  @ApiResult('CreatedSetupLink', 'The link; its secret is in `url`, shown this once.')
  create(
    @Param('slug') slug: string,
    @Body(new ZodValidationPipe(createSetupLinkInput)) input: CreateSetupLinkInput,
    @Req() request: FastifyRequest,
  ): Promise<CreatedSetupLink> {
    const actor = adminActorOf(request);
    return this.links.create(slug, input, actor ? `${actor.type}:${actor.id}` : 'unknown');
  }

  @Get()
  @ApiResult(listOf('data', 'SetupLink'), 'The tenant’s setup links, without secrets.')
  async list(@Param('slug') slug: string): Promise<{ data: SetupLinkView[] }> {
    return { data: await this.links.list(slug) };
  }

  /** Revokes the link, and ends the portal session it opened if it was used. */
  @Delete(':id')
  @HttpCode(204)
  async revoke(@Param('slug') slug: string, @Param('id') id: string): Promise<void> {
    await this.links.revoke(slug, id);
    await this.portals.endOfLink(id);
  }
}
