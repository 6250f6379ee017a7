import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import type { SubscriptionHealth } from '@app/identity/monitoring/delivery-health.repository';
import { MonitoringService } from '@app/identity/monitoring/monitoring.service';
import { AdminAuthGuard } from './admin-auth.guard';
import { PortalScope } from './portal-scope.decorator';

/** How the subscriptions that receive a tenant's events have fared over the last day. */
@Controller('admin/v1/tenants/:slug/delivery-health')
@UseGuards(AdminAuthGuard)
export class DeliveryHealthController {
  constructor(private readonly monitoring: MonitoringService) {}

  @Get()
  @PortalScope('logs')
  async get(@Param('slug') slug: string): Promise<{ subscriptions: SubscriptionHealth[] }> {
    return { subscriptions: await this.monitoring.deliveryHealthOf(slug) };
  }
}
