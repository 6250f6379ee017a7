import { DynamicModule, Module } from '@nestjs/common';
import { DatabaseModule } from '@app/identity';
import { PlatformModule, ResolvedConfig } from '@app/platform';
import { EventFanOutModule } from './event-fan-out.module';

/** The fan-out worker: moves committed outbox events to their subscribers. Serves health and metrics on WORKER_PORT. */
@Module({})
export class WorkerModule {
  static forRoot(config: ResolvedConfig): DynamicModule {
    return { module: WorkerModule, imports: [PlatformModule.forRoot(config), DatabaseModule, EventFanOutModule] };
  }
}
