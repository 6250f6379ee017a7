import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopChild, waitUntilReady } from '../bench-run';

const ROOT = join(__dirname, '..', '..');

/** The OIDC app under load, as `npm run start:oidc` runs it (from dist/), logging at warn. */
export interface OidcServer {
  /** PUBLIC_URL: `http://127.0.0.1:PORT`, so the IdP redirects back to it. */
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export interface OidcServerOptions {
  readonly port: number;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly redisPrefix: string;
  readonly adminToken: string;
  readonly secretsKey: string;
}

export async function startOidcServer(options: OidcServerOptions): Promise<OidcServer> {
  const url = `http://127.0.0.1:${options.port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'gw-bench-'));
  const env: NodeJS.ProcessEnv = {
    ...withoutGatewayVariables(process.env),
    DATABASE_URL: options.databaseUrl,
    DATA_DIR: dataDir,
    REDIS_URL: options.redisUrl,
    REDIS_PREFIX: options.redisPrefix,
    OIDC_PORT: String(options.port),
    PUBLIC_URL: url,
    ADMIN_TOKEN: options.adminToken,
    SECRETS_KEY: options.secretsKey,
    // The test IdP speaks plain HTTP on loopback.
    ALLOW_HTTP_ISSUERS: 'true',
    ALLOW_PRIVATE_NETWORKS: 'true',
    LOG_LEVEL: 'warn',
    // Every sign-in here starts from 127.0.0.1: measured is the sign-in, not the per-address limit on starts.
    RATE_LIMIT_SIGN_IN_STARTS_PER_MINUTE: '1000000',
    RATE_LIMIT_SIGN_IN_PENDING: '10000000',
  };
  const child = spawn(process.execPath, [join(ROOT, 'dist/apps/oidc/src/main.js')], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    await stopChild(child, exited);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(`${url}/health/live`, child);
  } catch (error) {
    await stop();
    throw new Error(`OIDC app did not start: ${(error as Error).message}\n${stderr}`);
  }
  if (child.pid === undefined) throw new Error('OIDC app has no pid');
  return { url, pid: child.pid, stop };
}

function withoutGatewayVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const name of ['DATABASE_URL', 'DATA_DIR', 'REDIS_URL', 'ADMIN_TOKEN', 'SECRETS_KEY', 'PUBLIC_URL'])
    delete copy[name];
  return copy;
}
