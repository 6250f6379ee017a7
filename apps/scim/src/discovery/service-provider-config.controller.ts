import { Controller, Get, UseGuards } from '@nestjs/common';
import { DiscoveryQueryGuard } from './discovery-query.guard';
import { ServiceProviderConfigDocument } from './discovery.documents';
import { ScimDiscoveryService } from './scim-discovery.service';

/** RFC 7644 §4: `GET /ServiceProviderConfig`. */
@Controller('scim/v2/ServiceProviderConfig')
@UseGuards(DiscoveryQueryGuard)
export class ServiceProviderConfigController {
  constructor(private readonly discovery: ScimDiscoveryService) {}

  @Get()
  get(): ServiceProviderConfigDocument {
    return this.discovery.serviceProviderConfig();
  }
}
