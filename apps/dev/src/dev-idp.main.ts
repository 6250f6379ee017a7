import { loadConfig } from '@app/platform/config/load-config';
import { Command } from 'commander';
import { DEV_ACCOUNTS, devIdpInstructions, gatewayRedirects } from './dev-idp.instructions';
import { parsePort, stopOnSignals } from './dev-process';
import { startLocalIdp } from './local-idp';

interface DevIdpOptions {
  port: number;
  tenant: string;
  publicUrl?: string;
  clientId: string;
  clientSecret: string;
  password: string;
}

/**
 * `npm run dev:idp`: a local OpenID Provider to try sign-in with, on loopback,
 * with a few users, and the exact commands that connect a tenant to it.
 */
const program = new Command('dev-idp')
  .description('Start a local OpenID Provider with a few users, to try sign-in without a real IdP.')
  .option('--port <port>', 'port on 127.0.0.1 (0: any free one)', parsePort, 4000)
  .option('--tenant <slug>', 'the tenant the printed commands connect', 'acme')
  .option('--public-url <url>', "the gateway's PUBLIC_URL, where the IdP sends people back (default: the gateway's)")
  .option('--client-id <id>', 'client id of the gateway at this IdP', 'gateway-dev')
  .option('--client-secret <secret>', 'its client secret', 'dev-idp-secret')
  .option('--password <password>', "every user's password", 'password')
  .action(async (options: DevIdpOptions) => {
    // The same PUBLIC_URL the gateway computes from the environment (PUBLIC_URL, or OIDC_PORT on localhost).
    const publicUrl = options.publicUrl ?? loadConfig().publicUrl;
    const redirects = gatewayRedirects(publicUrl, options.tenant);
    const idp = await startLocalIdp({
      port: options.port,
      accounts: [...DEV_ACCOUNTS],
      password: options.password,
      clients: [
        {
          client_id: options.clientId,
          client_secret: options.clientSecret,
          redirect_uris: [redirects.signIn],
          post_logout_redirect_uris: [redirects.signOut],
        },
      ],
    }).catch((error: unknown) => {
      if ((error as { code?: unknown }).code === 'EADDRINUSE') {
        throw new Error(`port ${options.port} on 127.0.0.1 is taken: choose another with --port`);
      }
      throw error;
    });
    process.stdout.write(
      `${devIdpInstructions({ ...options, publicUrl, issuer: idp.issuer, accounts: DEV_ACCOUNTS })}\n`,
    );
    stopOnSignals(() => idp.close());
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
