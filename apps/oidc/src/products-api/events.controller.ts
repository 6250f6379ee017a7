import { Controller, Get, Query, UseFilters, UseGuards } from '@nestjs/common';
import { EventsFeedService, FeedPage } from '@app/identity/events-feed/events-feed.service';
import { parseFeedQuery } from '@app/identity/events-feed/feed-query';
import { ReaderAccess } from '@app/identity/events-feed/reader-scope';
import { ProductsApiExceptionFilter } from './products-api-exception.filter';
import { ProductsApiGuard, Reader, RequiresScope } from './products-api.guard';
import { ProductsApiMetrics } from './products-api.metrics';
import { ProductsApiDocs } from './products-api.openapi';

/** `GET /api/v1/events`: the events feed (INTERFACES.md, Products API). */
@Controller('api/v1/events')
@UseGuards(ProductsApiGuard)
@UseFilters(ProductsApiExceptionFilter)
@RequiresScope('events:read')
export class EventsController {
  constructor(
    private readonly feed: EventsFeedService,
    private readonly metrics: ProductsApiMetrics,
  ) {}

  @Get()
  @ProductsApiDocs.listEvents()
  async list(@Reader() reader: ReaderAccess, @Query() query: Record<string, unknown>): Promise<FeedPage> {
    const { page, behind } = await this.feed.read(reader, parseFeedQuery(query));
    this.metrics.feedRead(reader.clientId, behind, page.data.length);
    return page;
  }
}
