import { Server } from 'node:http';
import { INestApplication } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { ConfigError, ResolvedConfig } from '../config/app-config';
import { EXIT_CONFIG } from './exit-codes';
import { HttpDrain } from './http-drain';
import { stopWhenLauncherGone } from './launcher-channel';
import { isPortInUse, portInUseMessage } from './port-in-use';
import { prepareRuntime } from './prepare-runtime';

/**
 * The whole life of one app process: prepare the runtime, build the app, listen,
 * and on SIGTERM drain (see HttpDrain): stop accepting, answer every request on
 * the connections accepted, then close, before the database and Redis close.
 * A configuration error, or a port another process holds, ends the process with
 * code 78 (EX_CONFIG) and a message naming the variable to change.
 */
export async function runHttpApp(
  name: string,
  create: (config: ResolvedConfig) => Promise<INestApplication>,
  port: (config: ResolvedConfig) => number,
): Promise<void> {
  let listeningOn: number | undefined;
  try {
    const runtime = await prepareRuntime();
    // An app started on its own leaves an embedded database it started running
    // for the next one; `npm start` (the launcher) stops the one it started.
    const app = await create(runtime.config);
    // Fastify's preClose runs once Nest's shutdown reaches the HTTP server, before the
    // database and Redis close: every request on an accepted connection is answered first.
    const drain = new HttpDrain(app.getHttpServer() as Server);
    const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
    fastify.addHook('preClose', () => drain.drain());
    listeningOn = port(runtime.config);
    await app.listen(listeningOn, '0.0.0.0');
    stopWhenLauncherGone(() => process.kill(process.pid, 'SIGTERM'));
    process.stderr.write(`${name} listening on port ${listeningOn}\n`);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${name}: ${error.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    if (listeningOn !== undefined && isPortInUse(error)) {
      process.stderr.write(`${name}: ${portInUseMessage(name, listeningOn)}\n`);
      process.exit(EXIT_CONFIG);
    }
    process.stderr.write(
      `${name} failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  }
}
