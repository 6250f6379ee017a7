import { Controller, Get, Param, Query, Res, UseGuards } from '@nestjs/common';
import { SetupGuideQuery, setupGuideQuery } from '@app/identity/setup-guide/setup-guide.input';
import { SetupGuideService } from '@app/identity/setup-guide/setup-guide.service';
import type { FastifyReply } from 'fastify';
import { ApiExtraResponse } from '../api-docs/api-docs.decorators';
import { AdminAuthGuard } from './admin-auth.guard';
import { PortalScope } from './portal-scope.decorator';
import { ZodValidationPipe } from './zod-validation.pipe';

/** A tenant's step-by-step setup guide for Okta or Entra, with its own values (any portal scope may read it). */
@Controller('admin/v1/tenants/:slug/setup-guide')
@UseGuards(AdminAuthGuard)
export class SetupGuideController {
  constructor(private readonly guides: SetupGuideService) {}

  @Get()
  @PortalScope()
  @ApiExtraResponse(200, {
    description: 'The guide, as Markdown (`format=markdown`) or as a page (`format=html`).',
    content: { 'text/markdown': { schema: { type: 'string' } }, 'text/html': { schema: { type: 'string' } } },
  })
  async get(
    @Param('slug') slug: string,
    @Query(new ZodValidationPipe(setupGuideQuery)) query: SetupGuideQuery,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { headers, body } = await this.guides.render(slug, query);
    await reply.headers(headers).send(body);
  }
}
