import { AppConfig, ResolvedConfig } from '../config/app-config';
import { resolveDevSecrets } from '../config/dev-secrets';
import { loadConfig } from '../config/load-config';
import { startEmbeddedPostgres } from '../database/embedded-postgres';

/** The resolved configuration of a process, and what to release when it stops. */
export interface Runtime {
  readonly config: ResolvedConfig;
  /** True when this process runs on the embedded PostgreSQL. */
  readonly embedded: boolean;
  /** Stops what prepareRuntime started (the embedded PostgreSQL, when this process started it). */
  close(): Promise<void>;
}

/**
 * Everything a process does before its apps boot: validate the configuration,
 * resolve generated dev secrets, and start the embedded PostgreSQL when
 * DATABASE_URL is unset. Throws ConfigError for a bad value.
 */
export async function prepareRuntime(
  env: NodeJS.ProcessEnv = process.env,
  notice: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<Runtime> {
  const config: AppConfig = loadConfig(env);
  const { adminToken, secretsKey, report } = await resolveDevSecrets(config);
  if (report.generatedAdminToken) {
    notice(
      `Generated an admin token (kept in ${config.dataDir}/admin-token; shown only this once):\n\n    ${report.generatedAdminToken}\n`,
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
      close: () => Promise.resolve(),
    };
  }
  const embedded = await startEmbeddedPostgres(config.dataDir, notice);
  return {
    config: { ...config, databaseUrl: embedded.url, adminToken, secretsKey },
    embedded: true,
    close: () => embedded.stop(),
  };
}
