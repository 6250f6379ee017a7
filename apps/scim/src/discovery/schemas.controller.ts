import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { DiscoveryQueryGuard } from './discovery-query.guard';
import type { ListResponse } from '@app/identity';
import { SchemaDocument } from './discovery.documents';
import { ScimDiscoveryService } from './scim-discovery.service';

/** RFC 7644 §4: `GET /Schemas` and `GET /Schemas/{urn}`. */
@Controller('scim/v2/Schemas')
@UseGuards(DiscoveryQueryGuard)
export class SchemasController {
  constructor(private readonly discovery: ScimDiscoveryService) {}

  @Get()
  list(): ListResponse<SchemaDocument> {
    return this.discovery.schemas();
  }

  @Get(':id')
  get(@Param('id') id: string): SchemaDocument {
    return this.discovery.schema(id);
  }
}
