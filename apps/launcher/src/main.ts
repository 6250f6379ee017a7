import { join } from 'node:path';
import { ConfigError, ResolvedConfig } from '@app/platform/config/app-config';
import { Runtime, prepareRuntime } from '@app/platform/runtime/prepare-runtime';
import { EXIT_CONFIG } from '@app/platform/runtime/exit-codes';
import { AppProcess, Supervisor } from './supervisor';
import { waitUntilLive } from './wait-until-live';

const APPS: readonly AppProcess[] = ['scim', 'oidc', 'worker'].map((name) => ({
  name,
  entry: join(__dirname, '..', '..', name, 'src', 'main.js'),
}));

/** `npm start`: the whole gateway (every app and the worker) in one command, with no configuration needed. */
async function main(): Promise<void> {
  const startedAt = Date.now();
  const runtime = await prepareRuntime();
  const { config } = runtime;
  let exitCode = 0;
  let shuttingDown: Promise<void> | undefined;
  const shutdown = (code: number): Promise<void> => {
    exitCode = Math.max(exitCode, code);
    shuttingDown ??= supervisor
      .stop()
      .then(() => runtime.close())
      .finally(() => process.exit(exitCode));
    return shuttingDown;
  };
  const supervisor = new Supervisor((name, code) => {
    process.stderr.write(`${name} stopped unexpectedly (exit code ${code ?? 'none'}); stopping the gateway\n`);
    void shutdown(1);
  });
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  supervisor.start(APPS, childEnvironment(config));
  await waitUntilLive([config.ports.scim, config.ports.oidc, config.ports.worker]);
  process.stderr.write(summary(config, runtime, Date.now() - startedAt));
}

/** The children inherit the resolved values, so they skip generation and attach to the same database. */
function childEnvironment(config: ResolvedConfig): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATA_DIR: config.dataDir,
    DATABASE_URL: config.databaseUrl,
    ADMIN_TOKEN: config.adminToken,
    SECRETS_KEY: config.secretsKey.toString('hex'),
  };
}

function summary(config: ResolvedConfig, runtime: Runtime, elapsedMs: number): string {
  return (
    [
      '',
      `identity gateway ready in ${(elapsedMs / 1000).toFixed(1)} s`,
      `  SCIM base URL   ${config.scimPublicUrl}/scim/v2`,
      `  sign-in         ${config.publicUrl}/auth/login?tenant=<slug>`,
      `  admin API       ${config.publicUrl}/admin/v1   (Bearer token in ${config.dataDir}/admin-token unless ADMIN_TOKEN is set)`,
      `  worker          http://localhost:${config.ports.worker}/health/ready`,
      `  database        ${runtime.embedded ? `embedded PostgreSQL under ${config.dataDir}/postgres` : 'DATABASE_URL'}`,
      '',
    ].join('\n') + '\n'
  );
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(EXIT_CONFIG);
  }
  process.stderr.write(
    `the gateway failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
