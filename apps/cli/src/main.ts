#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScimTokenView, TenantView } from '@app/identity';
import { ConfigError } from '@app/platform/config/app-config';
import { loadConfig } from '@app/platform/config/load-config';
import { Command, InvalidArgumentError, Option } from 'commander';
import { registerAccessCommands } from './access.commands';
import { AdminApiError, AdminClient } from './admin-client';
import { registerClientCommands } from './clients.commands';
import { registerLogCommands } from './logs.commands';
import { registerOidcCommands } from './oidc.commands';
import { registerSetupLinkCommands } from './setup-links.commands';
import { registerSubscriptionCommands } from './subscriptions.commands';
import { registerTokenRotationCommands } from './token-rotation.commands';
import { table } from './table';

interface GlobalOptions {
  url?: string;
  token?: string;
  json?: boolean;
}

interface IssuedToken {
  id: string;
  token: string;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
}

const program = new Command('gateway')
  .description(
    "Operate the identity gateway through the admin API: onboard tenants, manage their SCIM tokens and IdP connection, grant their users' roles and teams, and subscribe to lifecycle events.",
  )
  .option('--url <url>', 'base URL of the OIDC app that serves the admin API (default: PUBLIC_URL)')
  .option('--token <token>', 'admin token (default: ADMIN_TOKEN, else the one kept under DATA_DIR)')
  .option('--json', 'print JSON instead of tables')
  // The program's options go before the command, so `subscriptions create --url` is the webhook's URL.
  .enablePositionalOptions()
  .showHelpAfterError();

const tenants = program.command('tenants').description('create, list, show, change and delete tenants');

tenants
  .command('create <slug>')
  .description('onboard a tenant')
  .requiredOption('--name <name>', 'display name')
  .option('--domain <domain...>', 'email domain(s) whose users sign in through this tenant')
  .addOption(new Option('--sign-in <policy>', 'whether unknown users may sign in').choices(['jit', 'provisioned-only']))
  .action(async (slug: string, options: { name: string; domain?: string[]; signIn?: string }) => {
    const tenant = await client().request<TenantView>('POST', '/tenants', {
      slug,
      name: options.name,
      domains: options.domain,
      signIn: options.signIn,
    });
    print(tenant, () => describeTenant(tenant));
  });

tenants
  .command('list')
  .description('list every tenant')
  .action(async () => {
    const { tenants: list } = await client().request<{ tenants: TenantView[] }>('GET', '/tenants');
    print(list, () =>
      table(
        ['SLUG', 'NAME', 'SIGN-IN', 'DOMAINS', 'CREATED'],
        list.map((t) => [t.slug, t.name, t.signIn, t.domains.join(',') || '-', t.createdAt]),
      ),
    );
  });

tenants
  .command('show <slug>')
  .description('show a tenant and the setup values for its IdP administrator')
  .action(async (slug: string) => {
    const tenant = await client().request<TenantView>('GET', `/tenants/${encodeURIComponent(slug)}`);
    print(tenant, () => describeTenant(tenant));
  });

tenants
  .command('update <slug>')
  .description("change a tenant's name, domains or sign-in policy")
  .option('--name <name>', 'display name')
  .option('--domain <domain...>', 'replace the email domains')
  .addOption(new Option('--sign-in <policy>', 'whether unknown users may sign in').choices(['jit', 'provisioned-only']))
  .action(async (slug: string, options: { name?: string; domain?: string[]; signIn?: string }) => {
    const tenant = await client().request<TenantView>('PATCH', `/tenants/${encodeURIComponent(slug)}`, {
      name: options.name,
      domains: options.domain,
      signIn: options.signIn,
    });
    print(tenant, () => describeTenant(tenant));
  });

tenants
  .command('delete <slug>')
  .description('delete a tenant and everything it owns')
  .action(async (slug: string) => {
    await client().request('DELETE', `/tenants/${encodeURIComponent(slug)}`);
    print({ deleted: slug }, () => `deleted tenant ${slug}`);
  });

const tokens = program.command('tokens').description("issue, list and revoke a tenant's SCIM tokens");

tokens
  .command('issue <slug>')
  .description('issue a SCIM bearer token (shown only this once)')
  .option('--expires-at <date-time>', 'ISO 8601 expiry, e.g. 2027-01-31T00:00:00Z')
  .action(async (slug: string, options: { expiresAt?: string }) => {
    const issued = await client().request<IssuedToken>('POST', `/tenants/${encodeURIComponent(slug)}/scim-tokens`, {
      expiresAt: options.expiresAt,
    });
    print(issued, () =>
      [
        `SCIM token ${issued.id} for tenant ${slug}${issued.expiresAt ? `, expires ${issued.expiresAt}` : ''}.`,
        'Copy it now: it is not shown again.',
        '',
        `    ${issued.token}`,
      ].join('\n'),
    );
  });

tokens
  .command('list <slug>')
  .description("list a tenant's SCIM tokens (never their secrets)")
  .action(async (slug: string) => {
    const { tokens: list } = await client().request<{ tokens: ScimTokenView[] }>(
      'GET',
      `/tenants/${encodeURIComponent(slug)}/scim-tokens`,
    );
    print(list, () =>
      table(
        ['ID', 'PREFIX', 'STATUS', 'CREATED', 'EXPIRES', 'LAST USED'],
        list.map((t) => [t.id, `${t.prefix}…`, t.status, t.createdAt, t.expiresAt ?? '-', t.lastUsedAt ?? '-']),
      ),
    );
  });

tokens
  .command('revoke <slug> <id>')
  .description('revoke a SCIM token at once')
  .action(async (slug: string, id: string) => {
    await client().request('DELETE', `/tenants/${encodeURIComponent(slug)}/scim-tokens/${encodeURIComponent(id)}`);
    print({ revoked: id }, () => `revoked SCIM token ${id}`);
  });

registerTokenRotationCommands(tokens, { client, print });

registerAccessCommands(program, { client, print });
registerOidcCommands(program, { client, print });
registerSubscriptionCommands(program, { client, print });
registerClientCommands(program, { client, print });
registerLogCommands(program, { client, print });
registerSetupLinkCommands(program, { client, print });

// `tenants list --json` still works: each command also takes --json after its arguments.
for (const command of leafCommands(program)) command.option('--json', 'print JSON instead of tables');

/** The command whose action runs, to read its own --json. */
let actionCommand: Command | undefined;
program.hook('preAction', (_program, command) => {
  actionCommand = command;
});

function leafCommands(command: Command): Command[] {
  return command.commands.length === 0 ? [command] : command.commands.flatMap(leafCommands);
}

function client(): AdminClient {
  const options = program.opts<GlobalOptions>();
  const config = loadConfig();
  const token = options.token ?? config.adminToken ?? readStoredAdminToken(config.dataDir);
  return new AdminClient((options.url ?? config.publicUrl).replace(/\/+$/, ''), token);
}

function readStoredAdminToken(dataDir: string): string {
  try {
    return readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  } catch {
    throw new AdminApiError(
      0,
      'no_token',
      'no admin token: pass --token, set ADMIN_TOKEN, or start the gateway once to generate one',
    );
  }
}

function print(value: unknown, human: () => string): void {
  const json = program.opts<GlobalOptions>().json ?? actionCommand?.opts<GlobalOptions>().json;
  process.stdout.write(`${json ? JSON.stringify(value, null, 2) : human()}\n`);
}

function describeTenant(tenant: TenantView): string {
  return [
    `${tenant.name} (${tenant.slug})`,
    `  id                   ${tenant.id}`,
    `  sign-in              ${tenant.signIn}`,
    `  domains              ${tenant.domains.join(', ') || '-'}`,
    '',
    'Setup values for the IdP administrator:',
    `  SCIM base URL        ${tenant.setup.scimBaseUrl}`,
    `  sign-in redirect URI ${tenant.setup.signInRedirectUri}`,
    `  sign-out redirect URI ${tenant.setup.signOutRedirectUri}`,
    `  initiate login URI   ${tenant.setup.initiateLoginUri}`,
  ].join('\n');
}

program.parseAsync(process.argv).catch((error: unknown) => {
  const message =
    error instanceof AdminApiError || error instanceof ConfigError || error instanceof InvalidArgumentError
      ? error.message
      : String(error);
  process.stderr.write(`error: ${message}\n`);
  process.exitCode = error instanceof AdminApiError && error.status === 0 ? 2 : 1;
});
