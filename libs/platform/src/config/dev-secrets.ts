import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppConfig, ConfigError } from './app-config';
import { decodeKey } from './load-config';

/** What happened while resolving generated secrets, for the caller to tell the operator. */
export interface DevSecretsReport {
  /** Set only when the admin token was generated just now: print it this once. */
  readonly generatedAdminToken?: string;
  /** True when SECRETS_KEY came from DATA_DIR rather than the environment. */
  readonly secretsKeyFromDataDir: boolean;
}

const ADMIN_TOKEN_FILE = 'admin-token';
const SECRETS_KEY_FILE = 'secrets-key';

/**
 * Fills ADMIN_TOKEN and SECRETS_KEY from files under DATA_DIR when they are not
 * configured, generating each on first use. Files are created with mode 0600 and
 * `wx`, so two processes starting at once cannot overwrite each other's secret.
 */
export async function resolveDevSecrets(
  config: AppConfig,
): Promise<{ adminToken: string; secretsKey: Buffer; report: DevSecretsReport }> {
  await mkdir(config.dataDir, { recursive: true, mode: 0o711 });
  let generatedAdminToken: string | undefined;
  let adminToken = config.adminToken;
  if (!adminToken) {
    const stored = await readOrCreate(
      join(config.dataDir, ADMIN_TOKEN_FILE),
      () => `gwa_${randomBytes(32).toString('base64url')}`,
    );
    adminToken = stored.value;
    if (stored.created) generatedAdminToken = stored.value;
  }
  let secretsKey = config.secretsKey;
  if (!secretsKey) {
    const path = join(config.dataDir, SECRETS_KEY_FILE);
    const stored = await readOrCreate(path, () => randomBytes(32).toString('hex'));
    secretsKey = decodeKey(stored.value);
    if (!secretsKey) throw new ConfigError([`SECRETS_KEY: the key stored in ${path} is not 32 bytes`]);
  }
  return {
    adminToken,
    secretsKey,
    report: { generatedAdminToken, secretsKeyFromDataDir: !config.secretsKey },
  };
}

async function readOrCreate(path: string, generate: () => string): Promise<{ value: string; created: boolean }> {
  const value = generate();
  try {
    await writeFile(path, `${value}\n`, { flag: 'wx', mode: 0o600 });
    return { value, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { value: (await readFile(path, 'utf8')).trim(), created: false };
  }
}
