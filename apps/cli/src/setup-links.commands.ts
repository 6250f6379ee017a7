import type { SetupLinkView } from '@app/identity/setup-links/setup-link.view';
import type { CreatedSetupLink } from '@app/identity/setup-links/setup-links.service';
import { type Command, InvalidArgumentError } from 'commander';
import type { CliContext } from './cli-context';
import { table } from './table';

const linksPath = (slug: string, id?: string): string =>
  `/tenants/${encodeURIComponent(slug)}/setup-links${id === undefined ? '' : `/${encodeURIComponent(id)}`}`;

/** `--ttl-hours 48`: a whole number; the API checks the range and says so. */
function wholeHours(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number of hours');
  return Number(value);
}

/** `setup-links create|list|revoke`: single-use links to a tenant's setup portal, for its IT administrator. */
export function registerSetupLinkCommands(program: Command, cli: CliContext): void {
  const links = program
    .command('setup-links')
    .description("create, list and revoke single-use links to a tenant's setup portal");

  links
    .command('create <slug>')
    .description('create a link (shown once) that opens the setup portal of <slug> once')
    .option('--scope <scope...>', 'what the portal may do: oidc, scim, domains, roles, logs (default: all)')
    .option('--ttl-hours <hours>', 'hours until the link expires, 1 to 168 (default: 72)', wholeHours)
    .option('--email <email>', 'whom the link is for (shown in the list)')
    .action(async (slug: string, options: { scope?: string[]; ttlHours?: number; email?: string }) => {
      const created = await cli.client().request<CreatedSetupLink>('POST', linksPath(slug), {
        scopes: options.scope,
        ttlHours: options.ttlHours,
        email: options.email,
      });
      cli.print(created, () =>
        [
          `Setup link ${created.id} for tenant ${slug} (${created.scopes.join(', ')}), expires ${created.expiresAt}.`,
          'Send it now: it is not shown again, and it opens the portal once.',
          '',
          `    ${created.url}`,
        ].join('\n'),
      );
    });

  links
    .command('list <slug>')
    .description("list a tenant's setup links, newest first (never their secrets)")
    .action(async (slug: string) => {
      const { data } = await cli.client().request<{ data: SetupLinkView[] }>('GET', linksPath(slug));
      cli.print(data, () =>
        table(
          ['ID', 'STATUS', 'EMAIL', 'SCOPES', 'CREATED', 'EXPIRES'],
          data.map((link) => [
            link.id,
            link.status,
            link.email ?? '-',
            link.scopes.join(','),
            link.createdAt,
            link.expiresAt,
          ]),
        ),
      );
    });

  links
    .command('revoke <slug> <id>')
    .description('revoke a link at once (and end the portal session it opened)')
    .action(async (slug: string, id: string) => {
      await cli.client().request('DELETE', linksPath(slug, id));
      cli.print({ revoked: id }, () => `revoked setup link ${id}`);
    });
}
