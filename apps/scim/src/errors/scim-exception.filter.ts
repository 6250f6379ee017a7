import { ArgumentsHost, Catch, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { loggableReason } from '@app/platform';
import { toScimErrorBody } from '@app/identity/scim/errors';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isOperationalRoute } from './operational-routes';
import { RouteTable } from './route-table';
import { FailedRequest, toScimFailure } from './scim-error.mapper';

/**
 * Renders every error of the SCIM app in the SCIM error schema (RFC 7644
 * §3.12), whatever raised it: a `ScimError` from the domain, Nest, or Fastify
 * before routing (bad JSON, oversized body, wrong media type, no such route).
 * Unexpected errors become a 500 naming the request id, logged here, never
 * with a stack trace on the wire. The probes keep Nest's and terminus' rendering.
 */
@Catch()
export class ScimExceptionFilter extends BaseExceptionFilter {
  private readonly logger = new Logger(ScimExceptionFilter.name);

  constructor(private readonly routes: RouteTable) {
    super();
  }

  override catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (isOperationalRoute(request.routeOptions.url ?? request.url)) return super.catch(exception, host);

    const failed = this.describe(request);
    const failure = toScimFailure(exception, failed);
    if (failure.unexpected)
      this.logger.error({ err: exception, requestId: failed.requestId }, 'unhandled error in the SCIM app');
    else if (failure.warning)
      this.logger.warn({ reason: loggableReason(exception), requestId: failed.requestId }, failure.warning);
    // The content type is set for every SCIM response by the onSend hook of createScimApp.
    void reply.status(failure.error.status).headers(failure.headers).send(toScimErrorBody(failure.error));
  }

  private describe(request: FastifyRequest): FailedRequest {
    const routeMatched = request.routeOptions.url !== undefined;
    return {
      method: request.method,
      path: request.url.split('?', 1)[0] ?? '',
      requestId: String(request.id),
      routeMatched,
      allowedMethods: routeMatched ? [] : this.routes.allowedMethods(request.url),
    };
  }
}
