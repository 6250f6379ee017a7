import { Module } from '@nestjs/common';
import { PageCursors } from '../scim/storage/page-cursors';
import { EventsModule } from '../events/events.module';
import { GroupsModule } from '../groups/groups.module';
import { PasswordHasher } from './password-hasher';
import { RootSearchService } from './root-search.service';
import { UserRepository } from './user.repository';
import { UsersService } from './users.service';

@Module({
  imports: [EventsModule, GroupsModule],
  providers: [PageCursors, UsersService, UserRepository, PasswordHasher, RootSearchService],
  exports: [UsersService, UserRepository, RootSearchService],
})
export class UsersModule {}
