import { DynamicModule, Global, Module } from '@nestjs/common';
import { ResolvedConfig } from './app-config';

/** Injection token of the validated ResolvedConfig. */
export const APP_CONFIG = Symbol('APP_CONFIG');

/** Makes the boot-time configuration injectable everywhere; nothing else reads process.env. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: ResolvedConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
