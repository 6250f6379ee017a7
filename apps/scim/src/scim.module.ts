import { DynamicModule, Module } from '@nestjs/common';
import { DatabaseModule } from '@app/identity';
import { PlatformModule, ResolvedConfig } from '@app/platform';

/** The SCIM 2.0 provisioning app (`/scim/v2`). */
@Module({})
export class ScimModule {
  static forRoot(config: ResolvedConfig): DynamicModule {
    return { module: ScimModule, imports: [PlatformModule.forRoot(config), DatabaseModule] };
  }
}
