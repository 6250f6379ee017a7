import { Module } from '@nestjs/common';
import { UsersModule as IdentityUsersModule } from '@app/identity';
import { UsersController } from './users.controller';

/** `/scim/v2/Users`. */
@Module({ imports: [IdentityUsersModule], controllers: [UsersController] })
export class ScimUsersModule {}
