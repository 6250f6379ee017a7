import { Injectable } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { ResponseTallies } from './response-tallies';

/**
 * The Prometheus registry of one app. Each app has its own (not prom-client's
 * global one), so several apps can run in one process, as they do in tests.
 */
@Injectable()
export class MetricsRegistry extends Registry {
  constructor() {
    super();
    collectDefaultMetrics({ register: this });
  }
}

/** HTTP request counts and latency by route pattern, method and status. */
@Injectable()
export class HttpMetrics {
  private readonly responses = new ResponseTallies({
    countName: 'http_requests_total',
    countHelp: 'HTTP requests answered, by route pattern, method and status',
    durationName: 'http_request_duration_seconds',
    durationHelp: 'HTTP request latency, by route pattern, method and status',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  });

  constructor(registry: MetricsRegistry) {
    this.responses.registerWith(registry);
  }

  /** Observes every response of the Fastify instance; call before the app initialises its routes. */
  install(fastify: FastifyInstance): void {
    fastify.addHook('onResponse', (request, reply, done) => {
      // The route pattern (`/scim/v2/Users/:id`), never the raw URL, keeps label cardinality bounded.
      this.responses.record(
        request.method,
        request.routeOptions.url ?? 'unmatched',
        reply.statusCode,
        reply.elapsedTime / 1000,
      );
      done();
    });
  }
}
