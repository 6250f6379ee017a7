import { Module, OnApplicationBootstrap } from '@nestjs/common';
import { SigningKeysModule } from '@app/identity';
import { DirectoryModule } from '@app/identity/directory/directory.module';
import { EventsFeedModule } from '@app/identity/events-feed/events-feed.module';
import { FeedNotifications } from '@app/identity/events-feed/feed-notifications';
import { ProductClientRepository } from '@app/identity/product-clients/product-client.repository';
import { DirectoryController } from './directory.controller';
import { EventsController } from './events.controller';
import { ProductTokenVerifier } from './product-token.verifier';
import { ProductsApiGuard } from './products-api.guard';
import { ProductsApiMetrics } from './products-api.metrics';

/** The products API under `/api/v1`: the events feed and the directory, for client-credentials tokens. */
@Module({
  imports: [EventsFeedModule, DirectoryModule, SigningKeysModule],
  controllers: [EventsController, DirectoryController],
  providers: [ProductClientRepository, ProductTokenVerifier, ProductsApiGuard, ProductsApiMetrics],
})
export class ProductsApiModule implements OnApplicationBootstrap {
  constructor(private readonly notifications: FeedNotifications) {}

  /** Listens for new feed positions from the start, so the first long-poll is woken like every other. */
  onApplicationBootstrap(): void {
    this.notifications.start();
  }
}
