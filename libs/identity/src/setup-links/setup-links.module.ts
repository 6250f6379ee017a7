import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module';
import { SetupLinkRepository } from './setup-link.repository';
import { SetupLinksService } from './setup-links.service';

/** Single-use links that open a tenant's setup portal. */
@Module({
  imports: [TenantsModule],
  providers: [SetupLinkRepository, SetupLinksService],
  exports: [SetupLinksService],
})
export class SetupLinksModule {}
