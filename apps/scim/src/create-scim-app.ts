import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ResolvedConfig, createHttpApp, logRequestsFromHook } from '@app/platform';
import { isOperationalRoute } from './errors/operational-routes';
import { RouteTable } from './errors/route-table';
import { ScimModule } from './scim.module';

/** RFC 7644 §3.1: the media type of every SCIM response body. */
export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

/** Builds the SCIM app exactly as `main.ts` runs it; the end-to-end tests use it too. */
export async function createScimApp(config: ResolvedConfig): Promise<NestFastifyApplication> {
  const app = await createHttpApp(ScimModule.forRoot(config));
  const fastify = app.getHttpAdapter().getInstance();
  logRequestsFromHook(fastify, config);

  // Routes are registered by app.init(), after this: record them so the filter can tell a 405 from a 404.
  const routes = app.get(RouteTable);
  fastify.addHook('onRoute', (route) => routes.add(route.method, route.url));

  // Successes and errors alike (the filter's bodies pass here too); the probes keep their own types.
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (
      payload !== null &&
      payload !== undefined &&
      payload !== '' &&
      !isOperationalRoute(request.routeOptions.url ?? request.url)
    ) {
      void reply.header('content-type', SCIM_CONTENT_TYPE);
    }
    done(null, payload);
  });
  return app;
}
