import { Module } from '@nestjs/common';
import { DomainsModule } from '../domains/domains.module';
import { TenantsModule } from '../tenants/tenants.module';
import { SetupGuideService } from './setup-guide.service';

/** The generated, per-IdP setup guide of a tenant. */
@Module({ imports: [TenantsModule, DomainsModule], providers: [SetupGuideService], exports: [SetupGuideService] })
export class SetupGuideModule {}
