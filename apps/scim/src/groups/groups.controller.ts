import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import {
  GroupsService,
  ListResponse,
  ScimPrincipal,
  ScimResource,
  isAttributeShown,
  isNotModified,
  listQueryFromParams,
  listQueryFromSearch,
  listResponse,
  project,
  type GroupView,
  type ListQuery,
} from '@app/identity';
import type { FastifyReply } from 'fastify';
import { Principal } from '../auth/principal.decorator';
import { notModified, projectionOf, resourceResponse } from '../http/resource-response';

@Controller('scim/v2/Groups')
export class GroupsController {
  constructor(private readonly groups: GroupsService) {}

  @Post()
  @HttpCode(201)
  async create(
    @Principal() principal: ScimPrincipal,
    @Body() body: unknown,
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ScimResource> {
    const projection = projectionOf(query);
    const view = await this.groups.create(principal, body, isAttributeShown(projection, 'members'));
    return resourceResponse(reply, this.groups.toResource(view), projection, 'Group');
  }

  @Get()
  list(
    @Principal() principal: ScimPrincipal,
    @Query() query: Record<string, unknown>,
  ): Promise<ListResponse<ScimResource>> {
    return this.page(principal, listQueryFromParams(query));
  }

  /** RFC 7644 §3.4.3. */
  @Post('.search')
  @HttpCode(200)
  search(@Principal() principal: ScimPrincipal, @Body() body: unknown): Promise<ListResponse<ScimResource>> {
    return this.page(principal, listQueryFromSearch(body));
  }

  /**
   * Okta reads with `excludedAttributes=members`: then the membership table is
   * not touched; nor is it for a 304 (If-None-Match naming the current version, RFC 7644 §3.14).
   */
  @Get(':id')
  async get(
    @Principal() principal: ScimPrincipal,
    @Param('id') id: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ScimResource | undefined> {
    const projection = projectionOf(query);
    const view = await this.groups.get(principal, id, isAttributeShown(projection, 'members'), ifNoneMatch);
    const resource = this.groups.toResource(view);
    if (isNotModified(ifNoneMatch, view.row.version)) return notModified(reply, resource);
    return resourceResponse(reply, resource, projection, 'Group');
  }

  @Put(':id')
  async replace(
    @Principal() principal: ScimPrincipal,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ScimResource> {
    const projection = projectionOf(query);
    const view = await this.groups.replace(principal, id, body, ifMatch, isAttributeShown(projection, 'members'));
    return resourceResponse(reply, this.groups.toResource(view), projection, 'Group');
  }

  /**
   * RFC 7644 §3.5.2 lets PATCH answer 204; Entra's gallery asks for it, and it
   * spares sending back a group of 50,000 members per change. A client that
   * names `attributes` or `excludedAttributes` gets 200 with those.
   */
  @Patch(':id')
  async patch(
    @Principal() principal: ScimPrincipal,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ScimResource | undefined> {
    const projection = projectionOf(query);
    const wantsBody = (projection.attributes?.length ?? 0) + (projection.excludedAttributes?.length ?? 0) > 0;
    const view = await this.groups.patch(
      principal,
      id,
      body,
      ifMatch,
      wantsBody && isAttributeShown(projection, 'members'),
    );
    const resource = resourceResponse(reply, this.groups.toResource(view), projection, 'Group');
    if (wantsBody) return resource;
    void reply.status(204);
    return undefined;
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(
    @Principal() principal: ScimPrincipal,
    @Param('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<void> {
    await this.groups.delete(principal, id, ifMatch);
  }

  private async page(principal: ScimPrincipal, query: ListQuery): Promise<ListResponse<ScimResource>> {
    const { views, total } = await this.groups.list(principal, query, isAttributeShown(query.projection, 'members'));
    const resources = views.map((view: GroupView) => project(this.groups.toResource(view), query.projection, 'Group'));
    return listResponse(resources, total, query.startIndex);
  }
}
