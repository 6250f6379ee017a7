import { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { ConfigError, ResolvedConfig } from '@app/platform/config/app-config';
import { EXIT_CONFIG } from '@app/platform/runtime/exit-codes';
import { HttpDrain } from '@app/platform/runtime/http-drain';
import { stopWhenLauncherGone } from '@app/platform/runtime/launcher-channel';
import { isPortInUse, portInUseMessage } from '@app/platform/runtime/port-in-use';
import { prepareRuntime } from '@app/platform/runtime/prepare-runtime';
import { createOidcApp } from '../../oidc/src/create-oidc-app';
import { createScimApp } from '../../scim/src/create-scim-app';
import { createWorkerApp } from '../../worker/src/create-worker-app';

/** The apps this process hosts, each on its own port as when each runs alone. */
const APPS: readonly {
  readonly name: 'scim' | 'oidc' | 'worker';
  readonly create: (config: ResolvedConfig) => Promise<INestApplication>;
}[] = [
  { name: 'scim', create: createScimApp },
  { name: 'oidc', create: createOidcApp },
  { name: 'worker', create: createWorkerApp },
];

const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Every app of the gateway in one Node.js process: what `npm start` runs by default (the launcher
 * supervises it, restarting it with backoff after a crash). Each app keeps its own Nest container,
 * pools, port and probes, exactly as `npm run start:scim` etc. build them; only the process is
 * shared, which spares two copies of Node.js, Nest, TypeORM, BullMQ and the clients (about
 * 250 MiB resident; docs/PERFORMANCE.md). Production keeps one process per app.
 *
 * Shutdown: each app installs Nest's signal handler, which after closing re-sends the signal to the
 * process and would cut the others short; those handlers are replaced by one that drains and
 * closes every app together (as runHttpApp does for one).
 */
async function main(): Promise<void> {
  const runtime = await prepareRuntime();
  const { config } = runtime;
  const before = new Map(SHUTDOWN_SIGNALS.map((signal) => [signal, process.listeners(signal)]));
  const apps: { name: string; app: INestApplication }[] = [];
  let listeningOn: { name: string; port: number } | undefined;
  try {
    // One after another: each runs the migrations check under its lock anyway, and errors name their app.
    for (const { name, create } of APPS) {
      const app = await create(config);
      apps.push({ name, app });
      const drain = new HttpDrain(app.getHttpServer() as Server);
      (app.getHttpAdapter().getInstance() as FastifyInstance).addHook('preClose', () => drain.drain());
    }
    for (const signal of SHUTDOWN_SIGNALS) {
      for (const listener of process.listeners(signal)) {
        if (!before.get(signal)?.includes(listener)) process.removeListener(signal, listener);
      }
    }
    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= Promise.allSettled(apps.map(({ app }) => app.close())).then(() => process.exit(0));
    };
    for (const signal of SHUTDOWN_SIGNALS) process.once(signal, close);
    for (const { name, app } of apps) {
      const port = config.ports[name as keyof ResolvedConfig['ports']];
      listeningOn = { name, port };
      await app.listen(port, '0.0.0.0');
      process.stderr.write(`${name} listening on port ${port}\n`);
    }
    stopWhenLauncherGone(close);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    if (listeningOn && isPortInUse(error)) {
      process.stderr.write(`${listeningOn.name}: ${portInUseMessage(listeningOn.name, listeningOn.port)}\n`);
      process.exit(EXIT_CONFIG);
    }
    throw error;
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(EXIT_CONFIG);
  }
  process.stderr.write(
    `the apps failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
