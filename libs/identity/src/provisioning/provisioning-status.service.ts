import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, ResolvedConfig } from '@app/platform';
import { TenantsService } from '../tenants/tenants.service';
import { tenantSetup } from '../tenants/tenant.view';
import { ProvisioningSnapshot, ProvisioningStatusRepository } from './provisioning-status.repository';

/** How many of the newest users and groups the portal shows. */
const RECENT = 5;

/** The provisioning step of a tenant's setup: where to point the IdP, and whether it has called yet. */
export interface ProvisioningStatus extends Omit<ProvisioningSnapshot, 'tokenLastUsedAt'> {
  readonly scimBaseUrl: string;
  /** True once any authenticated SCIM request arrived (Okta's "Test API Credentials" is one). */
  readonly connected: boolean;
}

/** Whether a tenant's IdP provisions through SCIM yet, and what it pushed. */
@Injectable()
export class ProvisioningStatusService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: ResolvedConfig,
    private readonly tenants: TenantsService,
    private readonly repository: ProvisioningStatusRepository,
  ) {}

  async status(slug: string): Promise<ProvisioningStatus> {
    const tenant = await this.tenants.get(slug);
    const { tokenLastUsedAt, ...snapshot } = await this.repository.snapshot(tenant.id, RECENT);
    return {
      scimBaseUrl: tenantSetup(tenant.slug, this.config).scimBaseUrl,
      ...snapshot,
      // The log is pruned after its retention; a token's last use outlives it.
      connected: snapshot.lastRequest !== null || tokenLastUsedAt !== null,
    };
  }
}
