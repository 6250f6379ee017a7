import type { GroupRoleRule, TenantUserPage, TenantUserView } from '@app/identity';
import { Argument, Command, InvalidArgumentError } from 'commander';
import type { CliContext } from './cli-context';
import { table } from './table';

/** `users list`, `roles set`, `teams set` and `group-roles get|set`. */
export function registerAccessCommands(program: Command, cli: CliContext): void {
  program
    .command('users')
    .description("list a tenant's users and what they are granted")
    .command('list <slug>')
    .description('list users, oldest first, a page at a time')
    .option('--search <prefix>', 'only users whose userName or an email address starts with this')
    .option('--limit <n>', 'users per page (1 to 200)', '50')
    .option('--cursor <cursor>', 'the page after this cursor (printed below the previous page)')
    .option('--all', 'follow the cursor to the last page')
    .action(async (slug: string, options: { search?: string; limit: string; cursor?: string; all?: boolean }) => {
      const users: TenantUserView[] = [];
      let cursor = options.cursor;
      do {
        const query = new URLSearchParams({ limit: options.limit });
        if (options.search !== undefined) query.set('q', options.search);
        if (cursor !== undefined) query.set('cursor', cursor);
        const page = await cli.client().request<TenantUserPage>('GET', `${usersPath(slug)}?${query.toString()}`);
        users.push(...page.users);
        cursor = page.nextCursor ?? undefined;
      } while (options.all && cursor !== undefined);
      cli.print({ users, nextCursor: cursor ?? null }, () => describeUsers(users, cursor));
    });

  grantCommand(program, cli, 'roles', 'grant roles to a user (replacing the roles granted before)');
  grantCommand(program, cli, 'teams', "set a user's teams (replacing the teams set before)");

  const groupRoles = program
    .command('group-roles')
    .description("a tenant's rules from IdP groups to roles, applied at each sign-in");

  groupRoles
    .command('get <slug>')
    .description("show the tenant's rules, in order")
    .action(async (slug: string) => {
      const { rules } = await cli.client().request<{ rules: GroupRoleRule[] }>('GET', groupRolesPath(slug));
      cli.print({ rules }, () => describeRules(rules));
    });

  groupRoles
    .command('set')
    .description("replace all the tenant's rules, e.g. set acme 'Engineering=developer,viewer' 'okta-admins=admin'")
    .argument('<slug>')
    .addArgument(
      new Argument('[rules...]', 'rules as <group>=<role>[,<role>...]').argParser(
        (value: string, previous: GroupRoleRule[] | undefined) => [...(previous ?? []), parseRule(value)],
      ),
    )
    .option('--none', 'remove every rule')
    .action(async (slug: string, rules: GroupRoleRule[] | undefined, options: { none?: boolean }) => {
      const given = requireListOrNone(rules ?? [], options.none, 'rules');
      const saved = await cli
        .client()
        .request<{ rules: GroupRoleRule[] }>('PUT', groupRolesPath(slug), { rules: given });
      cli.print(saved, () => describeRules(saved.rules));
    });
}

/** `roles set` or `teams set`: both replace a list on one user. */
function grantCommand(program: Command, cli: CliContext, grant: 'roles' | 'teams', description: string): void {
  program
    .command(grant)
    .description(`${grant} a tenant administrator grants a user`)
    .command(`set <slug> <user-id> [${grant}...]`)
    .description(description)
    .option('--none', `remove every one of the user's ${grant}`)
    .action(async (slug: string, userId: string, values: string[], options: { none?: boolean }) => {
      const given = requireListOrNone(values, options.none, grant);
      const user = await cli
        .client()
        .request<TenantUserView>('PUT', `${usersPath(slug)}/${encodeURIComponent(userId)}/${grant}`, {
          [grant]: given,
        });
      cli.print(user, () => describeUser(user));
    });
}

/** An empty list clears everything: it takes `--none`, so that a forgotten argument clears nothing. */
function requireListOrNone<T>(values: T[], none: boolean | undefined, what: string): T[] {
  if (none && values.length > 0) throw new InvalidArgumentError(`give ${what} or --none, not both`);
  if (!none && values.length === 0) throw new InvalidArgumentError(`give at least one of the ${what}, or --none`);
  return values;
}

/** `Sales EMEA=crm:write,viewer`: the group is before the last `=` (group names may hold one; roles may not). */
export function parseRule(text: string): GroupRoleRule {
  const separator = text.lastIndexOf('=');
  const group = text.slice(0, separator).trim();
  const roles = text
    .slice(separator + 1)
    .split(',')
    .map((role) => role.trim())
    .filter((role) => role !== '');
  if (separator < 0 || group === '' || roles.length === 0) {
    throw new InvalidArgumentError(`"${text}" is not <group>=<role>[,<role>...]`);
  }
  return { group, roles };
}

function usersPath(slug: string): string {
  return `/tenants/${encodeURIComponent(slug)}/users`;
}

function groupRolesPath(slug: string): string {
  return `/tenants/${encodeURIComponent(slug)}/group-roles`;
}

function list(values: readonly string[]): string {
  return values.join(',') || '-';
}

function describeUsers(users: readonly TenantUserView[], cursor: string | undefined): string {
  const rows = table(
    ['ID', 'USERNAME', 'EMAIL', 'ACTIVE', 'ROLES', 'EFFECTIVE ROLES', 'TEAMS', 'GROUPS', 'LAST SIGN-IN'],
    users.map((user) => [
      user.id,
      user.userName,
      user.email ?? '-',
      user.active ? 'yes' : 'no',
      list(user.roles),
      list(user.effectiveRoles),
      list(user.teams),
      list(user.groups),
      user.lastSignInAt ?? '-',
    ]),
  );
  return cursor === undefined ? rows : `${rows}\n\nmore users: --cursor ${cursor}`;
}

function describeUser(user: TenantUserView): string {
  return [
    `${user.userName} (${user.id})`,
    `  roles            ${list(user.roles)}`,
    `  effective roles  ${list(user.effectiveRoles)}`,
    `  teams            ${list(user.teams)}`,
  ].join('\n');
}

function describeRules(rules: readonly GroupRoleRule[]): string {
  if (rules.length === 0) return 'no group-role rules';
  return table(
    ['GROUP', 'ROLES'],
    rules.map((rule) => [rule.group, rule.roles.join(',')]),
  );
}
