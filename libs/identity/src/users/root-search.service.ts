import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { GroupRepository } from '../groups/group.repository';
import { GROUP_SQL_MAPPING } from '../groups/group-sql-mapping';
import { GroupsService } from '../groups/groups.service';
import type { ListQuery } from '../scim/list/list-query';
import { isAttributeShown, project } from '../scim/resource/projection';
import type { ScimResource } from '../scim/resource/resource-validator';
import { rootPageSql, type RootHitRow, type RootSearchedType } from '../scim/search/root-query';
import type { ScimPrincipal } from '../tokens/scim-tokens.service';
import { USER_SQL_MAPPING } from './user-sql-mapping';
import { UserRepository } from './user.repository';
import { UsersService } from './users.service';

/** The types a root query searches, in the order its results list them when not sorted. */
const ROOT_TYPES: readonly RootSearchedType[] = [
  { ref: 'User', table: 'users', alias: 'u', mapping: USER_SQL_MAPPING },
  { ref: 'Group', table: 'groups', alias: 'g', mapping: GROUP_SQL_MAPPING },
];

/** A page of a root query: resources of every type, already projected, and the total matching. */
export interface RootSearchPage {
  readonly resources: ScimResource[];
  readonly total: number;
}

/**
 * Queries at the server root (RFC 7644 §3.4.2.1, §3.4.3): users and groups
 * together, under one filter, sort and paging. The page is ranked and its rows
 * read in one snapshot, so a change in between cannot drop or repeat a row.
 */
@Injectable()
export class RootSearchService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly groups: GroupsService,
    private readonly userRows: UserRepository,
    private readonly groupRows: GroupRepository,
  ) {}

  async search(principal: ScimPrincipal, query: ListQuery): Promise<RootSearchPage> {
    const sql = rootPageSql(principal.tenantId, ROOT_TYPES, query);
    return this.dataSource.transaction('REPEATABLE READ', async (em) => {
      const count = async (): Promise<number> =>
        Number((await em.query<[{ total: string }]>(sql.count, sql.params))[0].total);
      if (query.count === 0) return { resources: [], total: await count() };
      const hits = await em.query<RootHitRow[]>(sql.rows, sql.params);
      // Past the end, the page is empty and the window count with it: count apart.
      if (hits.length === 0) return { resources: [], total: query.startIndex > 1 ? await count() : 0 };
      const idsOf = (typeIndex: number): string[] =>
        hits.filter((hit) => Number(hit.type_index) === typeIndex).map((hit) => hit.id);
      const tenantId = principal.tenantId;
      const users = new Map((await this.userRows.findByIds(em, tenantId, idsOf(0))).map((row) => [row.id, row]));
      const groupRows = await this.groupRows.findByIds(em, tenantId, idsOf(1));
      const members = isAttributeShown(query.projection, 'members')
        ? await this.groupRows.members(
            em,
            tenantId,
            groupRows.map((row) => row.id),
          )
        : undefined;
      const groups = new Map(groupRows.map((row) => [row.id, row]));
      const resources = hits.flatMap((hit): ScimResource[] => {
        const user = Number(hit.type_index) === 0 ? users.get(hit.id) : undefined;
        if (user) return [project(this.users.toResource(user), query.projection, 'User')];
        const group = Number(hit.type_index) === 1 ? groups.get(hit.id) : undefined;
        if (!group) return [];
        const view = { row: group, members: members?.get(group.id) };
        return [project(this.groups.toResource(view), query.projection, 'Group')];
      });
      return { resources, total: Number(hits[0].total) };
    });
  }
}
