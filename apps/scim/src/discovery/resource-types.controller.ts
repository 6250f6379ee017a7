import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { DiscoveryQueryGuard } from './discovery-query.guard';
import type { ListResponse } from '@app/identity';
import { ResourceTypeDocument } from './discovery.documents';
import { ScimDiscoveryService } from './scim-discovery.service';

/** RFC 7644 §4: `GET /ResourceTypes` and `GET /ResourceTypes/{name}`. */
@Controller('scim/v2/ResourceTypes')
@UseGuards(DiscoveryQueryGuard)
export class ResourceTypesController {
  constructor(private readonly discovery: ScimDiscoveryService) {}

  @Get()
  list(): ListResponse<ResourceTypeDocument> {
    return this.discovery.resourceTypes();
  }

  @Get(':name')
  get(@Param('name') name: string): ResourceTypeDocument {
    return this.discovery.resourceType(name);
  }
}
