import type { ProductClientView } from '@app/identity/product-clients/product-client.view';
import { Command, InvalidArgumentError } from 'commander';
import type { CliContext } from './cli-context';
import { table } from './table';

type CreatedClient = ProductClientView & { clientSecret?: string };

interface CreateOptions {
  redirectUri?: string[];
  postLogoutRedirectUri?: string[];
  backchannelLogoutUri?: string;
  tenants?: string[];
  grantTypes?: string[];
  public?: boolean;
}

interface UpdateOptions {
  name?: string;
  redirectUri?: string[];
  postLogoutRedirectUri?: string[];
  backchannelLogoutUri?: string;
  /** false with --no-backchannel-logout */
  backchannelLogout?: boolean;
  tenants?: string[];
  grantTypes?: string[];
}

const GRANTS_HELP = 'authorization_code, refresh_token, client_credentials (default: authorization_code refresh_token)';

/** `clients create|list|show|update|delete|rotate-secret`: the vendor's products, as OIDC clients of the gateway. */
export function registerClientCommands(program: Command, cli: CliContext): void {
  const clients = program.command('clients').description("register the vendor's products as OIDC clients");

  clients
    .command('create <name>')
    .description('register a product, e.g. create Billing --redirect-uri https://billing.example.com/callback')
    .option('--redirect-uri <url...>', 'where the product receives the authorization code (exact match)')
    .option('--post-logout-redirect-uri <url...>', 'where the product may send a browser after logout')
    .option('--backchannel-logout-uri <url>', 'where the product receives logout tokens')
    .option('--tenants <slug...>', "whose users may sign in: tenant slugs, or '*' (default)")
    .option('--grant-types <grant...>', GRANTS_HELP)
    .option('--public', 'a public client (SPA, native app): no secret, PKCE required')
    .action(async (name: string, options: CreateOptions) => {
      const created = await cli.client().request<CreatedClient>('POST', '/clients', {
        name,
        redirectUris: options.redirectUri && splitList(options.redirectUri),
        postLogoutRedirectUris: options.postLogoutRedirectUri && splitList(options.postLogoutRedirectUri),
        backchannelLogoutUri: options.backchannelLogoutUri,
        tenants: options.tenants && splitList(options.tenants),
        grantTypes: options.grantTypes && splitList(options.grantTypes),
        public: options.public,
      });
      cli.print(created, () => describeCreated(created));
    });

  clients
    .command('list')
    .description('list every product client (never their secrets)')
    .action(async () => {
      const { clients: list } = await cli.client().request<{ clients: ProductClientView[] }>('GET', '/clients');
      cli.print(list, () =>
        table(
          ['CLIENT ID', 'NAME', 'TYPE', 'GRANTS', 'TENANTS', 'CREATED'],
          list.map((c) => [
            c.clientId,
            c.name,
            c.public ? 'public' : 'confidential',
            c.grantTypes.join(','),
            c.tenants.join(','),
            c.createdAt,
          ]),
        ),
      );
    });

  clients
    .command('show <client-id>')
    .description('show a product client (never its secret)')
    .action(async (clientId: string) => {
      const client = await cli.client().request<ProductClientView>('GET', clientPath(clientId));
      cli.print(client, () => describeClient(client));
    });

  clients
    .command('update <client-id>')
    .description("change a product client's name, URIs, tenants or grant types")
    .option('--name <name>', 'display name')
    .option('--redirect-uri <url...>', 'replace the redirect URIs')
    .option('--post-logout-redirect-uri <url...>', 'replace the post-logout redirect URIs')
    .option('--backchannel-logout-uri <url>', 'a new back-channel logout URI')
    .option('--no-backchannel-logout', 'remove the back-channel logout URI')
    .option('--tenants <slug...>', "replace whose users may sign in (slugs, or '*')")
    .option('--grant-types <grant...>', `replace the grant types: ${GRANTS_HELP}`)
    .action(async (clientId: string, options: UpdateOptions) => {
      if (options.backchannelLogout === false && options.backchannelLogoutUri !== undefined) {
        throw new InvalidArgumentError('give --backchannel-logout-uri or --no-backchannel-logout, not both');
      }
      const client = await cli.client().request<ProductClientView>('PATCH', clientPath(clientId), {
        name: options.name,
        redirectUris: options.redirectUri && splitList(options.redirectUri),
        postLogoutRedirectUris: options.postLogoutRedirectUri && splitList(options.postLogoutRedirectUri),
        backchannelLogoutUri: options.backchannelLogout === false ? null : options.backchannelLogoutUri,
        tenants: options.tenants && splitList(options.tenants),
        grantTypes: options.grantTypes && splitList(options.grantTypes),
      });
      cli.print(client, () => describeClient(client));
    });

  clients
    .command('delete <client-id>')
    .description('delete a product client: its sign-ins and tokens stop working')
    .action(async (clientId: string) => {
      await cli.client().request('DELETE', clientPath(clientId));
      cli.print({ deleted: clientId }, () => `deleted client ${clientId}`);
    });

  clients
    .command('rotate-secret <client-id>')
    .description('give a confidential client a new secret; the old one stops working at once')
    .action(async (clientId: string) => {
      const rotated = await cli
        .client()
        .request<{ clientId: string; clientSecret: string }>('POST', `${clientPath(clientId)}/secret`);
      cli.print(rotated, () =>
        [
          `New secret of client ${rotated.clientId}. Copy it now: it is not shown again.`,
          '',
          `    ${rotated.clientSecret}`,
        ].join('\n'),
      );
    });
}

/** `--tenants 'acme,globex'` reads as well as `--tenants acme globex`. */
function splitList(values: readonly string[]): string[] {
  return values.flatMap((value) => value.split(/[\s,]+/)).filter((value) => value !== '');
}

function clientPath(clientId: string): string {
  return `/clients/${encodeURIComponent(clientId)}`;
}

function describeCreated(created: CreatedClient): string {
  const lines = [describeClient(created)];
  if (created.clientSecret !== undefined) {
    lines.push('', 'Client secret. Copy it now: it is not shown again.', '', `    ${created.clientSecret}`);
  }
  return lines.join('\n');
}

function describeClient(client: ProductClientView): string {
  return [
    `${client.name} (${client.clientId})`,
    `  type                      ${client.public ? 'public (PKCE required)' : 'confidential'}`,
    `  grant types               ${client.grantTypes.join(', ')}`,
    `  redirect URIs             ${client.redirectUris.join(', ') || '-'}`,
    `  post-logout redirect URIs ${client.postLogoutRedirectUris.join(', ') || '-'}`,
    `  back-channel logout URI   ${client.backchannelLogoutUri ?? '-'}`,
    `  tenants                   ${client.tenants.includes('*') ? 'every tenant' : client.tenants.join(', ')}`,
    `  created                   ${client.createdAt}`,
    `  updated                   ${client.updatedAt}`,
  ].join('\n');
}
