import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ResolvedConfig, createHttpApp } from '@app/platform';
import { ScimModule } from './scim.module';

/** Builds the SCIM app exactly as `main.ts` runs it; the end-to-end tests use it too. */
export function createScimApp(config: ResolvedConfig): Promise<NestFastifyApplication> {
  // RFC 7644 §3.1: SCIM bodies are application/scim+json; clients also send application/json.
  return createHttpApp(ScimModule.forRoot(config), { jsonMediaTypes: ['application/scim+json'] });
}
