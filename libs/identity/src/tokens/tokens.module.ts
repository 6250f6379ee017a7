import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module';
import { ScimTokenRotationService } from './scim-token-rotation.service';
import { ScimTokensService } from './scim-tokens.service';

@Module({
  imports: [TenantsModule],
  providers: [ScimTokensService, ScimTokenRotationService],
  exports: [ScimTokensService, ScimTokenRotationService],
})
export class TokensModule {}
