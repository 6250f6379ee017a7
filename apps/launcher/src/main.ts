import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError, ResolvedConfig } from '@app/platform/config/app-config';
import { EXIT_CONFIG } from '@app/platform/runtime/exit-codes';
import { SCIM_NODE_ARGS } from '@app/platform/runtime/node-args';
import { Runtime, prepareRuntime } from '@app/platform/runtime/prepare-runtime';
import { loadConfig } from '@app/platform/config/load-config';
import { readyBanner, waitingFor } from './messages';
import { takenPortMessages } from './ports';
import { WatchedApp, probe, waitUntilReady } from './readiness';
import { AppProcess, GRACE_MS, Supervisor } from './supervisor';

const APP_NAMES = ['scim', 'oidc', 'worker'] as const;

/** One process per app, as in production (`npm run start:scim` etc.). */
const SEPARATE_APPS: readonly AppProcess[] = APP_NAMES.map((name) => ({
  name,
  entry: join(__dirname, '..', '..', name, 'src', 'main.js'),
  ...(name === 'scim' ? { nodeArgs: SCIM_NODE_ARGS } : {}),
}));

/**
 * `--one-process` (what `npm start` passes): every app in one Node.js process (all-apps.main.ts), which
 * takes about half the memory of three; the launcher still restarts it with backoff after a crash.
 */
const ONE_PROCESS_FLAG = '--one-process';
const ALL_APPS: AppProcess = {
  name: 'the apps (scim, oidc and worker, in one process)',
  entry: join(__dirname, 'all-apps.main.js'),
  hostsAll: true,
  // A development start serves little traffic: a small young generation (1 MiB semi-spaces, more frequent
  // minor GCs) and two malloc arenas keep ~45 MiB off the process's resident memory (bench:memory).
  nodeArgs: ['--max-semi-space-size=1'],
  defaultEnv: { MALLOC_ARENA_MAX: '2' },
};

/** How long an app may take to answer its first probe (migrations included). */
const ANSWER_WITHIN_MS = 120_000;
/** Apps connect to Redis as they start: only a dependency missing this long is worth a line. */
const REPORT_MISSING_AFTER_MS = 3_000;
/** After this long stopping, say which apps are still finishing. */
const SLOW_STOP_NOTICE_MS = 3_000;

const say = (text: string): boolean => process.stderr.write(`${text}\n`);

/** `npm start`: the whole gateway (every app and the worker) in one command, with no configuration needed. */
async function main(): Promise<void> {
  const startedAt = Date.now();
  const oneProcess = process.argv.slice(2).includes(ONE_PROCESS_FLAG);
  // A second `npm start` beside a running one stops here, before touching anything
  // (`npm start` asks the same before it builds: see preflight.ts).
  const taken = await takenPortMessages(loadConfig().ports);
  if (taken.length > 0) {
    for (const message of taken) say(message);
    process.exit(EXIT_CONFIG);
  }

  const adminTokenSet = (process.env.ADMIN_TOKEN ?? '') !== '';
  const runtime = await prepareRuntime(process.env, say, { announceAdminToken: false });
  const { config } = runtime;
  const stopping = new AbortController();
  let exitCode = 0;
  let shuttingDown: Promise<void> | undefined;
  const shutdown = (code: number): Promise<void> => {
    exitCode = Math.max(exitCode, code);
    stopping.abort();
    shuttingDown ??= stopAll(supervisor, runtime).finally(() => process.exit(exitCode));
    return shuttingDown;
  };
  const supervisor = new Supervisor({
    say,
    onConfigError: (name) => {
      // The app has already said what to change; restarting it would fail the same way.
      say(`${name} could not start (see above); stopping the gateway`);
      void shutdown(EXIT_CONFIG);
    },
    whenBack: async (name, stillThisRun) => {
      const ports = oneProcess
        ? APP_NAMES.map((app) => config.ports[app])
        : [config.ports[name as (typeof APP_NAMES)[number]]];
      while (stillThisRun()) {
        const probes = await Promise.all(ports.map((port) => probe(port)));
        if (probes.every((result) => result.kind === 'ready')) return true;
        await sleep(500);
      }
      return false;
    },
  });
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));
  // A closed terminal: stop as on Ctrl-C rather than leave the apps running with nobody to stop them.
  process.once('SIGHUP', () => void shutdown(0));

  supervisor.start(oneProcess ? [ALL_APPS] : SEPARATE_APPS, childEnvironment(config));
  try {
    const ready = await waitUntilReady(watchedApps(config), {
      answerWithinMs: ANSWER_WITHIN_MS,
      signal: stopping.signal,
      reportAfterMs: REPORT_MISSING_AFTER_MS,
      // Loaded only when needed: the Redis helpers bring ioredis, ~18 MiB the launcher otherwise never uses.
      onWaiting: (dependency) =>
        void import('@app/platform/redis/redis-topology.js').then(({ redisLocation }) =>
          say(waitingFor(dependency, redisLocation(config))),
        ),
    });
    const facts = { ...runtime, adminTokenFromEnvironment: adminTokenSet };
    if (ready) say(readyBanner(config, facts, Date.now() - startedAt));
  } catch (error) {
    say(`the gateway failed to start: ${error instanceof Error ? error.message : String(error)}`);
    await shutdown(1);
  }
}

function watchedApps(config: Pick<ResolvedConfig, 'ports'>): WatchedApp[] {
  return APP_NAMES.map((name) => ({ name, port: config.ports[name] }));
}

/** Stops every app (saying what it waits for when that takes a while), then the embedded database. */
async function stopAll(supervisor: Supervisor, runtime: Runtime): Promise<void> {
  say('stopping the gateway: letting requests in flight finish…');
  const notice = setTimeout(() => {
    const running = supervisor.running();
    if (running.length > 0) {
      say(`still waiting for ${running.join(', ')} to finish (stopped for good after ${GRACE_MS / 1000} s)`);
    }
  }, SLOW_STOP_NOTICE_MS);
  await supervisor.stop();
  clearTimeout(notice);
  if (runtime.embedded) say('stopping the embedded PostgreSQL…');
  await runtime.close();
}

/** The children inherit the resolved values, so they skip generation and attach to the same database. */
function childEnvironment(config: ResolvedConfig): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATA_DIR: config.dataDir,
    DATABASE_URL: config.databaseUrl,
    ADMIN_TOKEN: config.adminToken,
    SECRETS_KEY: config.secretsKey.toString('hex'),
    // The apps write to the launcher's terminal (or pipe): they log as it would.
    LOG_FORMAT: config.logFormat,
  };
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    say(error.message);
    process.exit(EXIT_CONFIG);
  }
  say(`the gateway failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
