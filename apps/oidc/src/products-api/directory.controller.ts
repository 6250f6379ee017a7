import { Controller, Get, Param, Query, UseFilters, UseGuards } from '@nestjs/common';
import { DirectoryPage, DirectoryService } from '@app/identity/directory/directory.service';
import { parsePageQuery, parseUserFilters } from '@app/identity/directory/directory-query';
import { DirectoryGroup, DirectoryUser } from '@app/identity/directory/directory.views';
import { ReaderAccess } from '@app/identity/events-feed/reader-scope';
import { ProductsApiExceptionFilter } from './products-api-exception.filter';
import { ProductsApiGuard, Reader, RequiresScope } from './products-api.guard';
import { ProductsApiMetrics } from './products-api.metrics';
import { ProductsApiDocs } from './products-api.openapi';

type Query = Record<string, unknown>;

/** `GET /api/v1/directory/…`: users and groups as they stand, in keyset pages (INTERFACES.md, Products API). */
@Controller('api/v1/directory')
@UseGuards(ProductsApiGuard)
@UseFilters(ProductsApiExceptionFilter)
@RequiresScope('directory:read')
export class DirectoryController {
  constructor(
    private readonly directory: DirectoryService,
    private readonly metrics: ProductsApiMetrics,
  ) {}

  @Get('users')
  @ProductsApiDocs.listUsers()
  users(@Reader() reader: ReaderAccess, @Query() query: Query): Promise<DirectoryPage<DirectoryUser>> {
    this.metrics.directoryRead(reader.clientId, 'users');
    const filters = parseUserFilters(query);
    return this.directory.users(reader, parsePageQuery(query, 'users', filters), filters);
  }

  @Get('users/:id')
  @ProductsApiDocs.getUser()
  user(@Reader() reader: ReaderAccess, @Param('id') id: string): Promise<DirectoryUser> {
    this.metrics.directoryRead(reader.clientId, 'user');
    return this.directory.user(reader, id);
  }

  @Get('users/:id/groups')
  @ProductsApiDocs.listUserGroups()
  groupsOf(
    @Reader() reader: ReaderAccess,
    @Param('id') id: string,
    @Query() query: Query,
  ): Promise<DirectoryPage<DirectoryGroup>> {
    this.metrics.directoryRead(reader.clientId, 'user_groups');
    return this.directory.groupsOf(reader, id, parsePageQuery(query, `groups-of:${id.toLowerCase()}`));
  }

  @Get('groups')
  @ProductsApiDocs.listGroups()
  groups(@Reader() reader: ReaderAccess, @Query() query: Query): Promise<DirectoryPage<DirectoryGroup>> {
    this.metrics.directoryRead(reader.clientId, 'groups');
    return this.directory.groups(reader, parsePageQuery(query, 'groups'));
  }

  @Get('groups/:id/members')
  @ProductsApiDocs.listGroupMembers()
  members(
    @Reader() reader: ReaderAccess,
    @Param('id') id: string,
    @Query() query: Query,
  ): Promise<DirectoryPage<DirectoryUser>> {
    this.metrics.directoryRead(reader.clientId, 'members');
    return this.directory.members(reader, id, parsePageQuery(query, `members:${id.toLowerCase()}`));
  }
}
