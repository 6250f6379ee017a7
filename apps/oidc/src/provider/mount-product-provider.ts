import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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
  const fastify = app.getHttpAdapter().getInstance();
  await fastify.register((instance: FastifyInstance, _options: unknown, done: (error?: Error) => void) => {
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser('*', (_request, _payload, parsed) => parsed(null));
    const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      reply.hijack();
      try {
        await provider.handle(request.raw, reply.raw);
      } catch (error) {
        // The provider answers its own errors; this is the provider not being there (its keys unreadable, say).
        request.log.error({ err: error }, 'provider unavailable');
        if (!reply.raw.headersSent) {
          reply.raw.writeHead(503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        }
        reply.raw.end(JSON.stringify({ error: 'temporarily_unavailable', error_description: 'please try again' }));
      }
    };
    instance.all(`${PROVIDER_PREFIX}/*`, handler);
    instance.get('/.well-known/openid-configuration', handler);
    done();
  });
}
