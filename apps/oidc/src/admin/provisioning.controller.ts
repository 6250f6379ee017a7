import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ProvisioningStatus, ProvisioningStatusService } from '@app/identity/provisioning/provisioning-status.service';
import { AdminAuthGuard } from './admin-auth.guard';
import { PortalScope } from './portal-scope.decorator';

/** Whether a tenant's IdP provisions yet, and what it pushed: the portal polls it while the admin sets SCIM up. */
@Controller('admin/v1/tenants/:slug/provisioning')
@UseGuards(AdminAuthGuard)
export class ProvisioningController {
  constructor(private readonly provisioning: ProvisioningStatusService) {}

  @Get()
  @PortalScope('scim')
  status(@Param('slug') slug: string): Promise<ProvisioningStatus> {
    return this.provisioning.status(slug);
  }
}
