import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DATABASE_RETRY_AFTER_SECONDS, databaseFailure } from '@app/identity/database/database-errors';
import { PAGE_HEADERS, signInPage } from '../sign-in/sign-in-page';
import { ProductProvider } from './product-provider';
import { PROVIDER_PREFIX } from './provider-routes';

/**
 * Serves the OpenID Provider (a Koa app) from Fastify: discovery and every
 * endpoint under `/oidc`, except the interaction pages, which are the gateway's
 * own routes. The provider reads request bodies itself, so these routes parse
 * none (in a plugin of their own, leaving the other routes' parsers alone).
 */
export async function mountProductProvider(app: NestFastifyApplication): Promise<void> {
  const provider = app.get(ProductProvider);
  const logger = new Logger('ProductProvider');
  const fastify = app.getHttpAdapter().getInstance();
  await fastify.register((instance: FastifyInstance, _options: unknown, done: (error?: Error) => void) => {
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser('*', (_request, _payload, parsed) => parsed(null));
    const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      reply.hijack();
      try {
        await provider.handle(request.raw, reply.raw);
      } catch (error) {
        // The provider answers its own errors; this is the provider not being there: its keys unreadable,
        // or PostgreSQL (which holds them) away, which is expected and passes, so no stack for that.
        const database = databaseFailure(error);
        if (database === undefined) logger.error({ err: error, reference: String(request.id) }, 'provider unavailable');
        else
          logger.warn(
            { reason: database, reference: String(request.id) },
            'provider unavailable: the database is unavailable',
          );
        if (reply.raw.headersSent) {
          reply.raw.end();
          return;
        }
        const retry = database === undefined ? {} : { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) };
        if (/\btext\/html\b/.test(request.headers.accept ?? '')) {
          // A browser (the authorization or logout endpoint): a plain page, as the sign-in pages give.
          reply.raw.writeHead(503, { ...PAGE_HEADERS, ...retry });
          reply.raw.end(
            signInPage({
              title: 'Sign-in is not available',
              message: 'Sign-in is briefly unavailable. Please try again shortly.',
              reference: String(request.id),
            }),
          );
          return;
        }
        reply.raw.writeHead(503, { 'content-type': 'application/json', 'cache-control': 'no-store', ...retry });
        reply.raw.end(
          JSON.stringify({
            error: 'temporarily_unavailable',
            error_description: 'the service is briefly unavailable; try again shortly',
          }),
        );
      }
    };
    instance.all(`${PROVIDER_PREFIX}/*`, handler);
    instance.get('/.well-known/openid-configuration', handler);
    done();
  });
}
