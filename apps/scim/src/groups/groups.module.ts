import { Module } from '@nestjs/common';
import { GroupsModule as IdentityGroupsModule } from '@app/identity';
import { GroupsController } from './groups.controller';

/** `/scim/v2/Groups`. */
@Module({ imports: [IdentityGroupsModule], controllers: [GroupsController] })
export class ScimGroupsModule {}
