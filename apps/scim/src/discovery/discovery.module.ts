import { Module } from '@nestjs/common';
import { DiscoveryQueryGuard } from './discovery-query.guard';
import { ResourceTypesController } from './resource-types.controller';
import { SchemasController } from './schemas.controller';
import { ScimDiscoveryService } from './scim-discovery.service';
import { ServiceProviderConfigController } from './service-provider-config.controller';

/** The SCIM discovery endpoints (RFC 7644 §4), behind the app-wide bearer-token guard. */
@Module({
  controllers: [ServiceProviderConfigController, ResourceTypesController, SchemasController],
  providers: [ScimDiscoveryService, DiscoveryQueryGuard],
})
export class DiscoveryModule {}
