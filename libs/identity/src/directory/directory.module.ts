import { Module } from '@nestjs/common';
import { EventsFeedModule } from '../events-feed/events-feed.module';
import { DirectoryRepository } from './directory.repository';
import { DirectoryService } from './directory.service';

/** The directory of users and groups as it stands, with the feed position to follow changes from. */
@Module({
  imports: [EventsFeedModule],
  providers: [DirectoryRepository, DirectoryService],
  exports: [DirectoryService],
})
export class DirectoryModule {}
