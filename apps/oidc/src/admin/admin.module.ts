import { Module } from '@nestjs/common';
import { TenantsModule, TokensModule } from '@app/identity';
import { AdminAuthGuard } from './admin-auth.guard';
import { ScimTokensController } from './scim-tokens.controller';
import { TenantsController } from './tenants.controller';

/** The operators' API under `/admin/v1`. */
@Module({
  imports: [TenantsModule, TokensModule],
  controllers: [TenantsController, ScimTokensController],
  providers: [AdminAuthGuard],
})
export class AdminModule {}
