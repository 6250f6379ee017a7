import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ResolvedConfig, createHttpApp } from '@app/platform';
import { OidcModule } from './oidc.module';

/** Builds the OIDC app exactly as `main.ts` runs it; the end-to-end tests use it too. */
export function createOidcApp(config: ResolvedConfig): Promise<NestFastifyApplication> {
  return createHttpApp(OidcModule.forRoot(config));
}
