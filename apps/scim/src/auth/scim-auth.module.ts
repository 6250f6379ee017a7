import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TokensModule } from '@app/identity';
import { ScimAuthGuard } from './scim-auth.guard';

/** Bearer-token authentication for every SCIM route (see `ScimAuthGuard`). */
@Module({
  imports: [TokensModule],
  providers: [{ provide: APP_GUARD, useClass: ScimAuthGuard }],
})
export class ScimAuthModule {}
