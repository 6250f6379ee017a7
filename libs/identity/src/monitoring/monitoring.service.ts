import { Injectable } from '@nestjs/common';
import { TenantsService } from '../tenants/tenants.service';
import { DeliveryHealthRepository, SubscriptionHealth } from './delivery-health.repository';
import { TenantHealth, TenantsOverviewRepository } from './tenants-overview.repository';

/** Health figures for the setup portal's activity step and the operators' console. */
@Injectable()
export class MonitoringService {
  constructor(
    private readonly tenants: TenantsService,
    private readonly deliveryHealth: DeliveryHealthRepository,
    private readonly overview: TenantsOverviewRepository,
  ) {}

  /** The subscriptions that receive the tenant's events, and how their deliveries fare. */
  async deliveryHealthOf(slug: string): Promise<SubscriptionHealth[]> {
    const tenant = await this.tenants.get(slug);
    return this.deliveryHealth.forTenant(tenant.id);
  }

  /** Every tenant's health at a glance. */
  tenantsOverview(): Promise<TenantHealth[]> {
    return this.overview.all();
  }
}
