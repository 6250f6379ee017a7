import type { OidcConnectionView } from '@app/identity/oidc-connections/oidc-connection';
import { Command } from 'commander';
import type { CliContext } from './cli-context';

interface OidcSetOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes?: string[];
  groupsClaim?: string;
  externalIdClaim?: string;
  postLogoutRedirectUri?: string;
  allowedReturnUrl?: string[];
}

/** `oidc set|show|refresh|delete`: a tenant's connection to its IdP for sign-in. */
export function registerOidcCommands(program: Command, cli: CliContext): void {
  const oidc = program.command('oidc').description("a tenant's OIDC connection to its IdP");

  oidc
    .command('set <slug>')
    .description("set the tenant's IdP; the gateway checks the issuer's discovery document first")
    .requiredOption('--issuer <url>', 'the IdP issuer, e.g. https://acme.okta.com')
    .requiredOption('--client-id <id>', 'client id of the app registered at the IdP')
    .requiredOption('--client-secret <secret>', 'its client secret; "-" reads it from standard input')
    .option('--scopes <scope...>', 'scopes to ask for (default: the gateway’s)')
    .option('--groups-claim <claim>', 'the ID token claim that lists the user’s groups')
    .option('--external-id-claim <claim>', 'the claim that holds the externalId SCIM provisioned (default: sub)')
    .option('--post-logout-redirect-uri <uri>', 'where the IdP returns after sign-out')
    .option('--allowed-return-url <url...>', 'URLs a sign-in may return to (return_to)')
    .action(async (slug: string, options: OidcSetOptions) => {
      const clientSecret = options.clientSecret === '-' ? await readStdin() : options.clientSecret;
      const connection = await cli.client().request<OidcConnectionView>('PUT', oidcPath(slug), {
        issuer: options.issuer,
        clientId: options.clientId,
        clientSecret,
        // A shell user may write --scopes "openid email groups" as well as --scopes openid email groups.
        scopes: options.scopes?.flatMap((scope) => scope.split(/\s+/)).filter((scope) => scope !== ''),
        groupsClaim: options.groupsClaim,
        externalIdClaim: options.externalIdClaim,
        postLogoutRedirectUri: options.postLogoutRedirectUri,
        allowedReturnUrls: options.allowedReturnUrl,
      });
      cli.print(connection, () => `tenant ${slug} signs in through ${options.issuer} (client ${options.clientId})`);
    });

  oidc
    .command('show <slug>')
    .description("show the tenant's IdP connection (never its client secret)")
    .action(async (slug: string) => {
      const connection = await cli.client().request<OidcConnectionView>('GET', oidcPath(slug));
      cli.print(connection, () => describeConnection(slug, connection));
    });

  oidc
    .command('refresh <slug>')
    .description(
      "fetch the IdP's discovery document again and check it as `set` does; sign-in keeps the stored one if it fails",
    )
    .action(async (slug: string) => {
      const connection = await cli.client().request<OidcConnectionView>('POST', `${oidcPath(slug)}/refresh`);
      cli.print(
        connection,
        () => `tenant ${slug}: the discovery document of ${connection.issuer} is checked and stored`,
      );
    });

  oidc
    .command('delete <slug>')
    .description("remove the tenant's IdP connection: its users cannot sign in until one is set again")
    .action(async (slug: string) => {
      await cli.client().request('DELETE', oidcPath(slug));
      cli.print({ deleted: 'oidc', tenant: slug }, () => `removed the OIDC connection of tenant ${slug}`);
    });
}

function oidcPath(slug: string): string {
  return `/tenants/${encodeURIComponent(slug)}/oidc`;
}

function describeConnection(slug: string, connection: OidcConnectionView): string {
  return [
    `tenant ${slug} signs in through ${connection.issuer}`,
    `  client id                 ${connection.clientId}`,
    `  token endpoint auth       ${connection.tokenEndpointAuthMethod}`,
    `  scopes                    ${connection.scopes.join(' ')}`,
    `  groups claim              ${connection.groupsClaim ?? '-'}`,
    `  external id claim         ${connection.externalIdClaim}`,
    `  post-logout redirect URI  ${connection.postLogoutRedirectUri ?? '-'}`,
    `  allowed return URLs       ${connection.allowedReturnUrls.join(', ') || '-'}`,
    `  updated                   ${connection.updatedAt}`,
  ].join('\n');
}

/** The secret from standard input, so it stays out of the shell history and the process list. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}
