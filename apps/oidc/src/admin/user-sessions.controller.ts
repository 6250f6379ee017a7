import { Controller, Delete, HttpCode, Param, UseGuards } from '@nestjs/common';
import { SessionRevocation } from '../sessions/session-revocation.service';
import { AdminAuthGuard } from './admin-auth.guard';
import { TenantAdminRoute } from './tenant-admin-route.decorator';

/** `DELETE /admin/v1/tenants/{slug}/users/{id}/sessions`: ends every session of the user, here and in every product. */
@Controller('admin/v1/tenants/:slug/users')
@UseGuards(AdminAuthGuard)
@TenantAdminRoute()
export class UserSessionsController {
  constructor(private readonly revocation: SessionRevocation) {}

  @Delete(':id/sessions')
  @HttpCode(204)
  async revoke(@Param('slug') slug: string, @Param('id') id: string): Promise<void> {
    await this.revocation.revokeAll(slug, id);
  }
}
