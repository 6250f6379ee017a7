import { AppConfig, ResolvedConfig } from '../config/app-config';
import { resolveDevSecrets } from '../config/dev-secrets';
import { loadConfig } from '../config/load-config';
import { startEmbeddedPostgres } from '../database/embedded-postgres';

/** The resolved configuration of a process, and what to release when it stops. */
export interface Runtime {
  readonly config: ResolvedConfig;
  /** True when this process runs on the embedded PostgreSQL. */
  readonly embedded: boolean;
  /** The admin token generated on this start (first start without ADMIN_TOKEN), to show once. */
  readonly generatedAdminToken: string | undefined;
  /** Stops what prepareRuntime started (the embedded PostgreSQL, when this process started it). */
  close(): Promise<void>;
}

/** How prepareRuntime speaks. */
export interface RuntimeOptions {
  /** Print a generated admin token at once (default); the launcher shows it in its ready banner instead. */
  readonly announceAdminToken?: boolean;
}

/**
 * Everything a process does before its apps boot: validate the configuration,
 * resolve generated dev secrets, and start the embedded PostgreSQL when
 * DATABASE_URL is unset. Throws ConfigError for a bad value.
 */
export async function prepareRuntime(
  env: NodeJS.ProcessEnv = process.env,
  notice: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  options: RuntimeOptions = {},
): Promise<Runtime> {
  const config: AppConfig = loadConfig(env);
  const { adminToken, secretsKey, report } = await resolveDevSecrets(config);
  const generatedAdminToken = report.generatedAdminToken;
  if (generatedAdminToken && options.announceAdminToken !== false) {
    notice(
      `Generated an admin token (kept in ${config.dataDir}/admin-token; shown only this once):\n\n    ${generatedAdminToken}\n`,
    );
  }
  if (report.secretsKeyFromDataDir) {
    notice(
      `warning: SECRETS_KEY is not set; secrets at rest are encrypted with the key kept in ${config.dataDir}/secrets-key`,
    );
  }
  if (config.databaseUrl) {
    return {
      config: { ...config, databaseUrl: config.databaseUrl, adminToken, secretsKey },
      embedded: false,
      generatedAdminToken,
      close: () => Promise.resolve(),
    };
  }
  const embedded = await startEmbeddedPostgres(config.dataDir, notice);
  return {
    config: { ...config, databaseUrl: embedded.url, adminToken, secretsKey },
    embedded: true,
    generatedAdminToken,
    close: () => embedded.stop(),
  };
}
