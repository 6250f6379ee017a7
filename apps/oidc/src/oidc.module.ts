import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { DatabaseModule } from '@app/identity';
import { PlatformModule, ResolvedConfig } from '@app/platform';
import { AdminExceptionFilter } from './admin/admin-exception.filter';
import { AdminModule } from './admin/admin.module';
import { ApiDocsModule } from './api-docs/api-docs.module';
import { AuthModule } from './auth/auth.module';
import { ProductsApiModule } from './products-api/products-api.module';
import { ProviderModule } from './provider/provider.module';

/** The OIDC sign-in app (sign-in, sessions, downstream tokens), which also serves the admin API. */
@Module({})
export class OidcModule {
  static forRoot(config: ResolvedConfig): DynamicModule {
    return {
      module: OidcModule,
      imports: [
        PlatformModule.forRoot(config),
        DatabaseModule,
        AdminModule,
        AuthModule,
        ProviderModule,
        ProductsApiModule,
        ApiDocsModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: AdminExceptionFilter }],
    };
  }
}
