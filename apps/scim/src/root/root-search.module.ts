import { Module } from '@nestjs/common';
import { UsersModule as IdentityUsersModule } from '@app/identity';
import { RootSearchController } from './root-search.controller';

/** `/scim/v2` and `/scim/v2/.search`: queries over every resource type. */
@Module({ imports: [IdentityUsersModule], controllers: [RootSearchController] })
export class ScimRootSearchModule {}
