import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import {
  IssueScimTokenInput,
  ScimTokenView,
  ScimTokensService,
  issueScimTokenInput,
  toScimTokenView,
} from '@app/identity';
import { AdminAuthGuard } from './admin-auth.guard';
import { ZodValidationPipe } from './zod-validation.pipe';

/** The issued token's body: the secret appears here and nowhere else, ever. */
interface IssuedScimTokenBody {
  id: string;
  token: string;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
}

@Controller('admin/v1/tenants/:slug/scim-tokens')
@UseGuards(AdminAuthGuard)
export class ScimTokensController {
  constructor(private readonly tokens: ScimTokensService) {}

  @Post()
  async issue(
    @Param('slug') slug: string,
    @Body(new ZodValidationPipe(issueScimTokenInput)) input: IssueScimTokenInput,
  ): Promise<IssuedScimTokenBody> {
    const issued = await this.tokens.issue(slug, input);
    return { ...issued, createdAt: issued.createdAt.toISOString(), expiresAt: issued.expiresAt?.toISOString() ?? null };
  }

  @Get()
  async list(@Param('slug') slug: string): Promise<{ tokens: ScimTokenView[] }> {
    return { tokens: (await this.tokens.list(slug)).map((token) => toScimTokenView(token)) };
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(@Param('slug') slug: string, @Param('id') id: string): Promise<void> {
    await this.tokens.revoke(slug, id);
  }
}
