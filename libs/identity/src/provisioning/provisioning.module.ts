import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module';
import { ProvisioningStatusRepository } from './provisioning-status.repository';
import { ProvisioningStatusService } from './provisioning-status.service';

/** The setup portal's live view of a tenant's SCIM provisioning. */
@Module({
  imports: [TenantsModule],
  providers: [ProvisioningStatusRepository, ProvisioningStatusService],
  exports: [ProvisioningStatusService],
})
export class ProvisioningModule {}
