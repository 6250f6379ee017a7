import { Controller, Get, Param, Post, UseGuards } from '@nestjs/common';
import { CreatedTestSignIn, LatestTestSignIn, TestSignInResult, TestSignIns } from '../sign-in/test-sign-ins';
import { AdminAuthGuard } from './admin-auth.guard';
import { PortalScope } from './portal-scope.decorator';

/** Test sign-ins of a tenant's saved IdP connection: the portal opens `url` in a popup, then reads the result. */
@Controller('admin/v1/tenants/:slug/oidc/test-sign-ins')
@UseGuards(AdminAuthGuard)
export class OidcTestSignInsController {
  constructor(private readonly tests: TestSignIns) {}

  @Post()
  @PortalScope('oidc')
  create(@Param('slug') slug: string): Promise<CreatedTestSignIn> {
    return this.tests.create(slug);
  }

  /** The latest finished test: the checklist's proof that sign-in works, whichever browser ran it. */
  @Get('latest')
  @PortalScope('oidc')
  latest(@Param('slug') slug: string): Promise<LatestTestSignIn> {
    return this.tests.latest(slug);
  }

  @Get(':id')
  @PortalScope('oidc')
  result(@Param('slug') slug: string, @Param('id') id: string): Promise<TestSignInResult> {
    return this.tests.result(slug, id);
  }
}
