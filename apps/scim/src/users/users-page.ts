import {
  ListResponse,
  ScimPrincipal,
  ScimResource,
  UsersService,
  listResponse,
  project,
  type ListQuery,
} from '@app/identity';

/** A list or search of users as SCIM answers it (RFC 7644 §3.4.2): the page, each user projected. */
export async function usersPage(
  users: UsersService,
  principal: ScimPrincipal,
  query: ListQuery,
): Promise<ListResponse<ScimResource>> {
  const { rows, total } = await users.list(principal, query);
  const resources = rows.map((row) => project(users.toResource(row), query.projection, 'User'));
  return listResponse(resources, total, query.startIndex);
}
