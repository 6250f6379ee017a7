import { Controller, Get, UseGuards } from '@nestjs/common';
import { MonitoringService } from '@app/identity/monitoring/monitoring.service';
import type { TenantHealth } from '@app/identity/monitoring/tenants-overview.repository';
import { QueueCounts, QueueCountsService } from '@app/identity/monitoring/queue-counts.service';
import { AdminAuthGuard } from './admin-auth.guard';

/** The operators' console at a glance: every tenant's health, and the queues. Operators only. */
@Controller('admin/v1')
@UseGuards(AdminAuthGuard)
export class ConsoleController {
  constructor(
    private readonly monitoring: MonitoringService,
    private readonly queueCounts: QueueCountsService,
  ) {}

  @Get('overview')
  async overview(): Promise<{ tenants: TenantHealth[] }> {
    return { tenants: await this.monitoring.tenantsOverview() };
  }

  @Get('queues')
  async queues(): Promise<{ queues: QueueCounts[] }> {
    return { queues: await this.queueCounts.all() };
  }
}
