import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { IdentityError } from '../errors/identity-error';
import { EventsFeedRepository } from '../events-feed/events-feed.repository';
import { encodeFeedCursor } from '../events-feed/feed-cursor';
import { ReaderAccess, ReaderScopes } from '../events-feed/reader-scope';
import { encodeDirectoryCursor } from './directory-cursor';
import { DirectoryPageQuery, UserFilters } from './directory-query';
import { DirectoryRepository } from './directory.repository';
import { DirectoryGroup, DirectoryUser, toDirectoryGroup, toDirectoryUser } from './directory.views';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A page of a directory listing. */
export interface DirectoryPage<Item> {
  readonly data: Item[];
  /** The next page's cursor; null on the last page. */
  readonly nextCursor: string | null;
  /** The events feed's position in the first page's snapshot: following the feed from it misses no change. */
  readonly eventsCursor: string;
}

/**
 * The directory as it stands, for products that load a tenant before following
 * the events feed. The first page of a listing is read in a REPEATABLE READ
 * snapshot together with the feed head: a change committed before it is in the
 * page (its event, if stamped after the head, comes again from the feed, and its
 * sequence says it is stale); a change committed after it has its event after the
 * head. So "list, then follow the feed from eventsCursor" misses nothing.
 */
@Injectable()
export class DirectoryService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly directory: DirectoryRepository,
    private readonly feed: EventsFeedRepository,
    private readonly scopes: ReaderScopes,
  ) {}

  async users(
    access: ReaderAccess,
    query: DirectoryPageQuery,
    filters: UserFilters,
  ): Promise<DirectoryPage<DirectoryUser>> {
    const { tenantIds } = await this.scopes.resolve(access, query.tenant);
    return this.page(
      'users',
      query,
      (em, after, limit) => this.directory.users(em, tenantIds, filters, after, limit),
      toDirectoryUser,
    );
  }

  async user(access: ReaderAccess, id: string): Promise<DirectoryUser> {
    const { tenantIds } = await this.scopes.resolve(access, undefined);
    const row = UUID.test(id)
      ? await this.directory.user(this.dataSource.manager, tenantIds, id.toLowerCase())
      : undefined;
    if (!row) throw IdentityError.notFound(`no user with id "${id}"`);
    return toDirectoryUser(row);
  }

  async groups(access: ReaderAccess, query: DirectoryPageQuery): Promise<DirectoryPage<DirectoryGroup>> {
    const { tenantIds } = await this.scopes.resolve(access, query.tenant);
    return this.page(
      'groups',
      query,
      (em, after, limit) => this.directory.groups(em, tenantIds, after, limit),
      toDirectoryGroup,
    );
  }

  /** A group's members, page by page (a group of 50,000 is never read whole). */
  async members(
    access: ReaderAccess,
    groupId: string,
    query: DirectoryPageQuery,
  ): Promise<DirectoryPage<DirectoryUser>> {
    const { tenantIds } = await this.scopes.resolve(access, query.tenant);
    const id = groupId.toLowerCase();
    if (!UUID.test(id) || !(await this.directory.groupExists(this.dataSource.manager, tenantIds, id))) {
      throw IdentityError.notFound(`no group with id "${groupId}"`);
    }
    return this.page(
      `members:${id}`,
      query,
      (em, after, limit) => this.directory.members(em, id, after, limit),
      toDirectoryUser,
    );
  }

  /** The groups a user is a member of. */
  async groupsOf(
    access: ReaderAccess,
    userId: string,
    query: DirectoryPageQuery,
  ): Promise<DirectoryPage<DirectoryGroup>> {
    const { tenantIds } = await this.scopes.resolve(access, query.tenant);
    const id = userId.toLowerCase();
    if (!UUID.test(id) || !(await this.directory.user(this.dataSource.manager, tenantIds, id))) {
      throw IdentityError.notFound(`no user with id "${userId}"`);
    }
    return this.page(
      `groups-of:${id}`,
      query,
      (em, after, limit) => this.directory.groupsOf(em, id, after, limit),
      toDirectoryGroup,
    );
  }

  private async page<Row extends { id: string }, Item>(
    listing: string,
    query: DirectoryPageQuery,
    fetch: (em: EntityManager, after: string | null, limit: number) => Promise<Row[]>,
    view: (row: Row) => Item,
  ): Promise<DirectoryPage<Item>> {
    const { rows, feedHead } = query.cursor
      ? {
          rows: await fetch(this.dataSource.manager, query.cursor.afterId, query.limit + 1),
          feedHead: query.cursor.feedHead,
        }
      : await this.dataSource.transaction('REPEATABLE READ', async (em) => {
          // The first statement takes the snapshot: the head and the page are read in it.
          const head = await this.feed.head(em);
          return { rows: await fetch(em, null, query.limit + 1), feedHead: head };
        });
    const page = rows.slice(0, query.limit);
    return {
      data: page.map(view),
      nextCursor:
        rows.length > query.limit
          ? encodeDirectoryCursor({ listing, binding: query.binding, afterId: page[page.length - 1].id, feedHead })
          : null,
      eventsCursor: encodeFeedCursor(feedHead),
    };
  }
}
