import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import {
  IssueScimTokenInput,
  ScimTokenView,
  ScimTokensService,
  issueScimTokenInput,
  scimTokenViews,
  toScimTokenView,
} from '@app/identity';
import { EndedRotation, ScimTokenRotationService } from '@app/identity/tokens/scim-token-rotation.service';
import { ApiResult, listOf } from '../api-docs/api-docs.decorators';
import { AdminAuthGuard } from './admin-auth.guard';
import { PortalScope } from './portal-scope.decorator';
import { ZodValidationPipe } from './zod-validation.pipe';

/** The issued token's body: the secret appears here and nowhere else, ever. */
interface IssuedScimTokenBody {
  id: string;
  token: string;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
}

/** A token issued by a rotation: both it and the token it `replaces` work until the rotation ends. */
interface RotatedScimTokenBody extends IssuedScimTokenBody {
  replaces: string;
}

/** A rotation that ended: the token revoked, and the one that stays. */
interface EndedRotationBody {
  revoked: ScimTokenView;
  active: ScimTokenView;
}

@Controller('admin/v1/tenants/:slug/scim-tokens')
@UseGuards(AdminAuthGuard)
export class ScimTokensController {
  constructor(
    private readonly tokens: ScimTokensService,
    private readonly rotations: ScimTokenRotationService,
  ) {}

  @Post()
  @PortalScope('scim')
  @ApiResult('IssuedScimToken', 'The token, with its secret shown this once.')
  async issue(
    @Param('slug') slug: string,
    @Body(new ZodValidationPipe(issueScimTokenInput)) input: IssueScimTokenInput,
  ): Promise<IssuedScimTokenBody> {
    const issued = await this.tokens.issue(slug, input);
    return { ...issued, createdAt: issued.createdAt.toISOString(), expiresAt: issued.expiresAt?.toISOString() ?? null };
  }

  @Get()
  @PortalScope('scim')
  @ApiResult(listOf('tokens', 'ScimToken'), 'The tenant’s tokens, without secrets.')
  async list(@Param('slug') slug: string): Promise<{ tokens: ScimTokenView[] }> {
    return { tokens: scimTokenViews(await this.tokens.list(slug)) };
  }

  @Delete(':id')
  @PortalScope('scim')
  @HttpCode(204)
  async revoke(@Param('slug') slug: string, @Param('id') id: string): Promise<void> {
    await this.tokens.revoke(slug, id);
  }

  /** Issues a token to replace `id`; both work until the rotation is completed or cancelled. */
  @Post(':id/rotation')
  @PortalScope('scim')
  @ApiResult('IssuedScimToken', 'The new token (with `replaces`), its secret shown this once.')
  async rotate(
    @Param('slug') slug: string,
    @Param('id') id: string,
    @Body(new ZodValidationPipe(issueScimTokenInput)) input: IssueScimTokenInput,
  ): Promise<RotatedScimTokenBody> {
    const issued = await this.rotations.start(slug, id, input);
    return { ...issued, createdAt: issued.createdAt.toISOString(), expiresAt: issued.expiresAt?.toISOString() ?? null };
  }

  @Post(':id/rotation/complete')
  @PortalScope('scim')
  @HttpCode(200)
  @ApiResult('EndedRotation', 'The old token revoked; the new one stays.')
  async completeRotation(@Param('slug') slug: string, @Param('id') id: string): Promise<EndedRotationBody> {
    return endedBody(await this.rotations.complete(slug, id));
  }

  @Post(':id/rotation/cancel')
  @PortalScope('scim')
  @HttpCode(200)
  @ApiResult('EndedRotation', 'The new token revoked; the old one stays.')
  async cancelRotation(@Param('slug') slug: string, @Param('id') id: string): Promise<EndedRotationBody> {
    return endedBody(await this.rotations.cancel(slug, id));
  }
}

function endedBody(ended: EndedRotation): EndedRotationBody {
  return { revoked: toScimTokenView(ended.revoked), active: toScimTokenView(ended.active) };
}
