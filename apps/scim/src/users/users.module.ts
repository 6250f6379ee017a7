import { Module } from '@nestjs/common';
import { UsersModule as IdentityUsersModule } from '@app/identity';
import { ScimAuthModule } from '../auth/scim-auth.module';
import { UsersReadRoutes } from './users-read.routes';
import { UsersController } from './users.controller';

/** `/scim/v2/Users`. */
@Module({
  imports: [IdentityUsersModule, ScimAuthModule],
  controllers: [UsersController],
  providers: [UsersReadRoutes],
})
export class ScimUsersModule {}
