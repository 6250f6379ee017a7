import { Module } from '@nestjs/common';
import { SecretsModule } from '../secrets/secrets.module';
import { TenantsModule } from '../tenants/tenants.module';
import { ProductClientRepository } from './product-client.repository';
import { ProductClientsService } from './product-clients.service';

/** The vendor's products as OIDC clients of the gateway. */
@Module({
  imports: [TenantsModule, SecretsModule],
  providers: [ProductClientRepository, ProductClientsService],
  exports: [ProductClientsService],
})
export class ProductClientsModule {}
