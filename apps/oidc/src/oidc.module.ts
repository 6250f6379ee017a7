import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { DatabaseModule } from '@app/identity';
import { PlatformModule, ResolvedConfig } from '@app/platform';
import { AdminExceptionFilter } from './admin/admin-exception.filter';
import { AdminModule } from './admin/admin.module';

/** The OIDC sign-in app, which also serves the admin API. */
@Module({})
export class OidcModule {
  static forRoot(config: ResolvedConfig): DynamicModule {
    return {
      module: OidcModule,
      imports: [PlatformModule.forRoot(config), DatabaseModule, AdminModule],
      providers: [{ provide: APP_FILTER, useClass: AdminExceptionFilter }],
    };
  }
}
