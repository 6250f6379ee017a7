import { IncomingMessage } from 'node:http';
import { parse as parseForm } from 'node:querystring';
import { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { RawServerDefault } from 'fastify';
import { Logger } from 'nestjs-pino';
import { requestId } from '../logging/logging.module';
import { HttpMetrics } from '../metrics/http-metrics';
import { UnfitTextError, findUnfitText } from './unfit-text';

/**
 * Sent with every response of every app. `nosniff`: a browser never runs a JSON
 * body or an error text as a script or a page. `strict-origin-when-cross-origin`:
 * another site never sees a path or query string of ours (sign-in callbacks carry
 * `code` and `state`, SCIM queries carry user names), while a same-origin form
 * post keeps its `Origin` header, which the CSRF check of `POST /auth/logout`
 * and the OpenID Provider's forms rely on (`no-referrer` would make it `null`).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
};

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
  const securityHeaders = Object.entries(SECURITY_HEADERS);
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    // On the raw response, so that routes answering it directly (the OpenID Provider, Bull Board) send them too.
    for (const [name, value] of securityHeaders) reply.raw.setHeader(name, value);
    done();
  });
  // One check for every route: a string PostgreSQL cannot hold (U+0000, a lone surrogate) is a 400 before any
  // handler runs, wherever it is in the body, the query or the path, rather than a 500 at the database.
  fastify.addHook('preValidation', (request, _reply, done) => {
    const where =
      findUnfitText(request.params, 'path') ??
      findUnfitText(request.query, 'query') ??
      findUnfitText(request.body, 'body');
    done(where === undefined ? undefined : new UnfitTextError(where));
  });
  registerBodyParsers(app);
  for (const mediaType of options.jsonMediaTypes ?? []) {
    fastify.addContentTypeParser(mediaType, { parseAs: 'string' }, fastify.getDefaultJsonParser('error', 'error'));
  }
  return app;
}

/**
 * The JSON and form parsers Nest would register at init, but with an empty
 * JSON body read as no body: clients send `Content-Type: application/json` on
 * a bodiless DELETE too, which is not a malformed body (Fastify's parser
 * answers it 400). Registering them first makes Nest skip its own.
 */
function registerBodyParsers(app: NestFastifyApplication): void {
  const parseJson = app.getHttpAdapter().getInstance().getDefaultJsonParser('error', 'error');
  app.useBodyParser<RawServerDefault>('application/json', { bodyLimit: BODY_LIMIT_BYTES }, (request, body, done) => {
    if (body.length === 0) return done(null, undefined);
    // Fastify's own parser, with its prototype-poisoning checks.
    void parseJson(request, body.toString('utf8'), done);
  });
  app.useBodyParser('application/x-www-form-urlencoded', { bodyLimit: BODY_LIMIT_BYTES }, (_request, body, done) =>
    done(null, { ...parseForm(body.toString('utf8')) }),
  );
}
