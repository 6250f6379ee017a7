import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ResolvedConfig, createHttpApp } from '@app/platform';
import { WorkerModule } from './worker.module';

/** Builds the worker exactly as `main.ts` runs it; the end-to-end tests use it too. */
export function createWorkerApp(config: ResolvedConfig): Promise<NestFastifyApplication> {
  return createHttpApp(WorkerModule.forRoot(config));
}
