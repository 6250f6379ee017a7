import fastifyCookie from '@fastify/cookie';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ResolvedConfig, createHttpApp } from '@app/platform';
import { mountQueueBoard } from './admin/queue-board';
import { ApiDocs } from './api-docs/api-docs';
import { OidcModule } from './oidc.module';
import { mountProductProvider } from './provider/mount-product-provider';
import { mountWebApp } from './web/web-app';

/** Builds the OIDC app exactly as `main.ts` runs it; the end-to-end tests use it too. */
export async function createOidcApp(config: ResolvedConfig): Promise<NestFastifyApplication> {
  const app = await createHttpApp(OidcModule.forRoot(config));
  await app.register(fastifyCookie);
  await mountQueueBoard(app, config);
  await mountProductProvider(app);
  await mountWebApp(app);
  app.get(ApiDocs).describe(app);
  return app;
}
