import { Module } from '@nestjs/common';
import { DeliveriesModule } from '../deliveries/deliveries.module';
import { TenantsModule } from '../tenants/tenants.module';
import { DeliveryHealthRepository } from './delivery-health.repository';
import { MonitoringService } from './monitoring.service';
import { QueueCountsService } from './queue-counts.service';
import { TenantsOverviewRepository } from './tenants-overview.repository';

/** Tenants' health, delivery health and queue counts, read for the portal and the console. */
@Module({
  imports: [TenantsModule, DeliveriesModule],
  providers: [MonitoringService, DeliveryHealthRepository, TenantsOverviewRepository, QueueCountsService],
  exports: [MonitoringService, QueueCountsService],
})
export class MonitoringModule {}
