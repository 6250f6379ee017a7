import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { GroupRepository } from './group.repository';
import { GroupsService } from './groups.service';

@Module({
  imports: [EventsModule],
  providers: [GroupsService, GroupRepository],
  exports: [GroupsService, GroupRepository],
})
export class GroupsModule {}
