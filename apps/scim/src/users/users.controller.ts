import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import {
  ListResponse,
  ScimPrincipal,
  ScimResource,
  UsersService,
  isNotModified,
  listQueryFromParams,
  listQueryFromSearch,
  listResponse,
  project,
  type ListQuery,
} from '@app/identity';
import type { FastifyReply } from 'fastify';
import { Principal } from '../auth/principal.decorator';
import { notModified, projectionOf, resourceResponse } from '../http/resource-response';

@Controller('scim/v2/Users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @HttpCode(201)
  async create(
    @Principal() principal: ScimPrincipal,
    @Body() body: unknown,
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ScimResource> {
    const row = await this.users.create(principal, body);
    return resourceResponse(reply, this.users.toResource(row), projectionOf(query), 'User');
  }

  @Get()
  list(
    @Principal() principal: ScimPrincipal,
    @Query() query: Record<string, unknown>,
  ): Promise<ListResponse<ScimResource>> {
    return this.page(principal, listQueryFromParams(query));
  }

  /** RFC 7644 §3.4.3: a query in the body, for filters too long or too private for a URL. */
  @Post('.search')
  @HttpCode(200)
  search(@Principal() principal: ScimPrincipal, @Body() body: unknown): Promise<ListResponse<ScimResource>> {
    return this.page(principal, listQueryFromSearch(body));
  }

  /** RFC 7644 §3.14: a client holding the current version (If-None-Match) gets 304 without the body. */
  @Get(':id')
  async get(
    @Principal() principal: ScimPrincipal,
    @Param('id') id: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ScimResource | undefined> {
    const row = await this.users.get(principal, id);
    const resource = this.users.toResource(row);
    if (isNotModified(ifNoneMatch, (resource['meta'] as { version: string }).version)) {
      return notModified(reply, resource);
    }
    return resourceResponse(reply, resource, projectionOf(query), 'User');
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
    const row = await this.users.replace(principal, id, body, ifMatch);
    return resourceResponse(reply, this.users.toResource(row), projectionOf(query), 'User');
  }

  @Patch(':id')
  async patch(
    @Principal() principal: ScimPrincipal,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ScimResource> {
    const row = await this.users.patch(principal, id, body, ifMatch);
    return resourceResponse(reply, this.users.toResource(row), projectionOf(query), 'User');
  }

  @Delete(':id')
  @HttpCode(204)
  async delete(
    @Principal() principal: ScimPrincipal,
    @Param('id') id: string,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<void> {
    await this.users.delete(principal, id, ifMatch);
  }

  private async page(principal: ScimPrincipal, query: ListQuery): Promise<ListResponse<ScimResource>> {
    const { rows, total } = await this.users.list(principal, query);
    const resources = rows.map((row) => project(this.users.toResource(row), query.projection, 'User'));
    return listResponse(resources, total, query.startIndex);
  }
}
