import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { RequestLogService } from '@app/identity/request-log/request-log.service';
import type { FastifyInstance } from 'fastify';
import type { AuthenticatedRequest } from '../auth/authenticated-request';
import { scimRequestRecord } from './scim-request-record';

/**
 * Records each SCIM request of a tenant as its response is sent (errors included: the
 * exception filter's body is where `scimType` is read). A request with no tenant (no or a
 * bad token) is not recorded: it belongs to no tenant, and the rate limiter covers abuse.
 * Recording only buffers the row; RequestLogService writes it off the request.
 */
@Injectable()
export class ScimRequestRecorder implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly requestLog: RequestLogService,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // A callback hook, not an async one: no promise per response for a step that never waits.
    fastify.addHook('onSend', (request: AuthenticatedRequest, reply, payload, done) => {
      const principal = request.scimPrincipal;
      const route = request.routeOptions.url;
      if (!principal || !route) return done(null, payload);
      try {
        this.requestLog.recordScimRequest(
          scimRequestRecord({
            principal,
            method: request.method,
            route,
            params: request.params,
            status: reply.statusCode,
            payload,
            elapsedMs: reply.elapsedTime,
            userAgent: request.headers['user-agent'],
            now: new Date(),
          }),
        );
      } catch (error) {
        return done(error as Error);
      }
      done(null, payload);
    });
  }
}
