import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { TenantsModule } from '../tenants/tenants.module';
import { AccessRepository } from './access.repository';
import { AccessService } from './access.service';

/** Roles, teams and group-role rules, for the admin API and the sign-in flow. */
@Module({
  imports: [TenantsModule, EventsModule],
  providers: [AccessService, AccessRepository],
  exports: [AccessService],
})
export class AccessModule {}
