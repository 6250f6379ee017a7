import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module';
import { CustomerDomainRepository } from './customer-domain.repository';
import { DnsTxtLookup } from './dns-txt-lookup';
import { DomainsService } from './domains.service';

/** A tenant's email domains, and the DNS proof of those its administrator claims. */
@Module({
  imports: [TenantsModule],
  providers: [CustomerDomainRepository, DnsTxtLookup, DomainsService],
  exports: [DomainsService],
})
export class DomainsModule {}
