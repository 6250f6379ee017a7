import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DATABASE_RETRY_AFTER_SECONDS, databaseFailure } from '@app/identity/database/database-errors';
import { RateLimits, Verdict, retryAfterSecondsOf } from '@app/platform';
import { PAGE_HEADERS, signInPage } from '../sign-in/sign-in-page';
import { ProductProvider } from './product-provider';
import { PROVIDER_PREFIX, PROVIDER_ROUTES } from './provider-routes';

/**
 * The provider's anonymous starts: each keeps state in Redis (an interaction, or a pushed request)
 * for anyone who asks with a product's public client id. Not the resume (`/oidc/authorize/{uid}`),
 * which only finishes a start already counted.
 */
const STARTS = new Set<string>([PROVIDER_ROUTES.authorization, PROVIDER_ROUTES.pushed_authorization_request]);

/**
 * Serves the OpenID Provider (a Koa app) from Fastify: discovery and every
 * endpoint under `/oidc`, except the interaction pages, which are the gateway's
 * own routes. The provider reads request bodies itself, so these routes parse
 * none (in a plugin of their own, leaving the other routes' parsers alone).
 */
export async function mountProductProvider(app: NestFastifyApplication): Promise<void> {
  const provider = app.get(ProductProvider);
  const limits = app.get(RateLimits);
  const logger = new Logger('ProductProvider');
  const fastify = app.getHttpAdapter().getInstance();
  await fastify.register((instance: FastifyInstance, _options: unknown, done: (error?: Error) => void) => {
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser('*', (_request, _payload, parsed) => parsed(null));
    const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      if (isStart(request)) {
        // As at /auth/login: per client address, then against the cap on pending sign-ins, before the
        // provider stores anything.
        const verdict = await limits.signInStart(request);
        if (!verdict.allowed) return refuseStart(request, reply, verdict);
      }
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

/**
 * A start of the provider's (see STARTS), as its router matches one: any letter case, a trailing
 * slash, HEAD as GET (its router takes each). Its path is not percent-decoded there, nor here.
 */
function isStart(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD' && request.method !== 'POST') return false;
  const path = (request.url.split('?')[0] ?? '').replace(/\/+$/, '').toLowerCase();
  return STARTS.has(path);
}

/**
 * Over a limit: a plain page with Retry-After for a browser (as /auth/login gives), JSON for a
 * product's server pushing its request; 429 over the address's limit, 503 over the cap in all.
 */
function refuseStart(request: FastifyRequest, reply: FastifyReply, verdict: Verdict & { limit?: string }): void {
  const busy = verdict.limit === 'pending';
  void reply
    .status(busy ? 503 : 429)
    .header('retry-after', String(retryAfterSecondsOf(verdict.retryAfterMs)))
    .header('cache-control', 'no-store');
  if (/\btext\/html\b/.test(request.headers.accept ?? '') || request.method === 'GET') {
    void reply.headers(PAGE_HEADERS).send(
      busy
        ? signInPage({
            title: 'Sign-in is busy',
            message: 'Too many sign-ins are under way. Please try again in a few minutes.',
            reference: String(request.id),
          })
        : signInPage({
            title: 'Too many sign-in attempts',
            message: 'Too many sign-ins were started from your network. Please wait a minute and try again.',
            reference: String(request.id),
          }),
    );
    return;
  }
  void reply.send({
    error: busy ? 'temporarily_unavailable' : 'too_many_requests',
    error_description: busy
      ? 'too many sign-ins are under way; retry later'
      : 'too many sign-ins were started from this address; retry later',
  });
}
