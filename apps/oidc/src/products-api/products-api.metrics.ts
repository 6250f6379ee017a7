import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@app/platform';
import { Counter, Gauge } from 'prom-client';

/** What the products API serves, on the OIDC app's /metrics. */
@Injectable()
export class ProductsApiMetrics {
  private readonly feedLag: Gauge<'client'>;
  private readonly feedRequests: Counter<'client'>;
  private readonly feedEvents: Counter<'client'>;
  private readonly directoryRequests: Counter<'client' | 'listing'>;

  constructor(registry: MetricsRegistry) {
    this.feedLag = new Gauge({
      name: 'gateway_feed_lag_events',
      help: 'Events between the cursor a client last read from and the head of the feed, by client',
      labelNames: ['client'],
      registers: [registry],
    });
    this.feedRequests = new Counter({
      name: 'gateway_feed_requests_total',
      help: 'Events feed requests served, by client',
      labelNames: ['client'],
      registers: [registry],
    });
    this.feedEvents = new Counter({
      name: 'gateway_feed_events_served_total',
      help: 'Events served by the events feed, by client',
      labelNames: ['client'],
      registers: [registry],
    });
    this.directoryRequests = new Counter({
      name: 'gateway_directory_requests_total',
      help: 'Directory requests served, by client and listing (users, user, groups, members, user_groups)',
      labelNames: ['client', 'listing'],
      registers: [registry],
    });
  }

  feedRead(client: string, behind: number, served: number): void {
    this.feedRequests.inc({ client });
    this.feedLag.set({ client }, behind);
    if (served > 0) this.feedEvents.inc({ client }, served);
  }

  directoryRead(client: string, listing: 'users' | 'user' | 'groups' | 'members' | 'user_groups'): void {
    this.directoryRequests.inc({ client, listing });
  }
}
