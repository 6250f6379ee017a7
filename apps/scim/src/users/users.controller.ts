import { Body, Controller, Delete, Headers, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ListResponse, ScimPrincipal, ScimResource, UsersService, listQueryFromSearch } from '@app/identity';
import type { FastifyReply } from 'fastify';
import { Principal } from '../auth/principal.decorator';
import { projectionOf, resourceResponse } from '../http/resource-response';
import { usersPage } from './users-page';

/** Writes and searches of `/scim/v2/Users`; its two reads are UsersReadRoutes. */
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

  /** RFC 7644 §3.4.3: a query in the body, for filters too long or too private for a URL. */
  @Post('.search')
  @HttpCode(200)
  search(@Principal() principal: ScimPrincipal, @Body() body: unknown): Promise<ListResponse<ScimResource>> {
    return usersPage(this.users, principal, listQueryFromSearch(body));
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
}
