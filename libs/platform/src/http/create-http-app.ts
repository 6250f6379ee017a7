import { IncomingMessage } from 'node:http';
import { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { requestId } from '../logging/logging.module';
import { HttpMetrics } from '../metrics/http-metrics';

/** Request bodies above this are refused with 413 (SCIM bulk-free servers need no more). */
export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface HttpAppOptions {
  /** Extra media types parsed as JSON, e.g. `application/scim+json`. */
  readonly jsonMediaTypes?: readonly string[];
}

/**
 * Creates a gateway app on Fastify the same way for `main.ts` and the
 * end-to-end tests: JSON logs, HTTP metrics, body limit, graceful shutdown.
 * The caller initialises it (`init()` or `listen()`).
 */
export async function createHttpApp(
  module: DynamicModule,
  options: HttpAppOptions = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // Answer 503 to requests that arrive while shutting down, and close idle keep-alive sockets.
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    genReqId: (req: IncomingMessage) => requestId(req.headers['x-request-id']),
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);

  const fastify = app.getHttpAdapter().getInstance();
  app.get(HttpMetrics).install(fastify);
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  for (const mediaType of options.jsonMediaTypes ?? []) {
    fastify.addContentTypeParser(mediaType, { parseAs: 'string' }, fastify.getDefaultJsonParser('error', 'error'));
  }
  return app;
}
