import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module';
import { ScimTokensService } from './scim-tokens.service';

@Module({ imports: [TenantsModule], providers: [ScimTokensService], exports: [ScimTokensService] })
export class TokensModule {}
