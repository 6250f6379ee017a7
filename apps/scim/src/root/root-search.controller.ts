import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import {
  ListResponse,
  RootSearchService,
  ScimPrincipal,
  ScimResource,
  listQueryFromParams,
  listQueryFromSearch,
  listResponse,
  type ListQuery,
} from '@app/identity';
import { Principal } from '../auth/principal.decorator';

/**
 * Queries at the server root, over users and groups together: `POST /.search`
 * (RFC 7644 §3.4.3) and `GET` with query parameters (§3.4.2.1, which allows
 * a root query). Results carry each resource's own `schemas` and `meta.resourceType`.
 */
@Controller('scim/v2')
export class RootSearchController {
  constructor(private readonly search: RootSearchService) {}

  @Get()
  list(
    @Principal() principal: ScimPrincipal,
    @Query() query: Record<string, unknown>,
  ): Promise<ListResponse<ScimResource>> {
    return this.page(principal, listQueryFromParams(query));
  }

  @Post('.search')
  @HttpCode(200)
  searchAll(@Principal() principal: ScimPrincipal, @Body() body: unknown): Promise<ListResponse<ScimResource>> {
    return this.page(principal, listQueryFromSearch(body));
  }

  private async page(principal: ScimPrincipal, query: ListQuery): Promise<ListResponse<ScimResource>> {
    const { resources, total } = await this.search.search(principal, query);
    return listResponse(resources, total, query.startIndex);
  }
}
