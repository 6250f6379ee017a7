import { Module } from '@nestjs/common';
import { PageCursors } from '../scim/storage/page-cursors';
import { EventsModule } from '../events/events.module';
import { GroupRepository } from './group.repository';
import { GroupsService } from './groups.service';

@Module({
  imports: [EventsModule],
  providers: [PageCursors, GroupsService, GroupRepository],
  exports: [GroupsService, GroupRepository],
})
export class GroupsModule {}
