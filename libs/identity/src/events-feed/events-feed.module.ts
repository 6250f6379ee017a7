import { Module } from '@nestjs/common';
import { EventsFeedRepository } from './events-feed.repository';
import { EventsFeedService } from './events-feed.service';
import { FeedNotifications } from './feed-notifications';
import { FeedStamper } from './feed-stamper';
import { ReaderScopes } from './reader-scope';

/** The events feed: positions stamped by the relay, pages served to products, long-polls woken by NOTIFY. */
@Module({
  providers: [EventsFeedRepository, EventsFeedService, FeedNotifications, FeedStamper, ReaderScopes],
  exports: [EventsFeedRepository, EventsFeedService, FeedNotifications, FeedStamper, ReaderScopes],
})
export class EventsFeedModule {}
