import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { UsersService, isNotModified, listQueryFromParams } from '@app/identity';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ScimAuthGuard } from '../auth/scim-auth.guard';
import { notModified, projectionOf, resourceResponse } from '../http/resource-response';
import { usersPage } from './users-page';

type Query = Record<string, unknown>;

/**
 * `GET /scim/v2/Users/{id}` and `GET /scim/v2/Users`, served by Fastify handlers over the same service,
 * guard and error filter as the controller's routes: a thrown error still reaches ScimExceptionFilter
 * (through the Fastify error handler Nest installs), the tenant's turn still ends in the onSend hook.
 *
 * Why not UsersController: these are what an IdP sends most (a lookup before every change, the pages of
 * every import), and Nest's router puts its execution context, guard consumer, parameter extractors
 * and response handling on each of them, about a tenth of such a request's CPU (docs/PERFORMANCE.md).
 */
@Injectable()
export class UsersReadRoutes implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly auth: ScimAuthGuard,
    private readonly users: UsersService,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.get('/scim/v2/Users', (request, reply) => this.list(request, reply));
    fastify.get('/scim/v2/Users/:id', (request, reply) =>
      this.get(request as FastifyRequest<{ Params: { id: string } }>, reply),
    );
  }

  private async list(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const principal = await this.auth.authorize(request, reply);
    return usersPage(this.users, principal, listQueryFromParams(request.query as Query));
  }

  /** RFC 7644 §3.14: a client holding the current version (If-None-Match) gets 304 without the body. */
  private async get(request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply): Promise<unknown> {
    const principal = await this.auth.authorize(request, reply);
    const resource = this.users.toResource(await this.users.get(principal, request.params.id));
    if (isNotModified(request.headers['if-none-match'], (resource['meta'] as { version: string }).version)) {
      notModified(reply, resource);
      return reply.send();
    }
    return resourceResponse(reply, resource, projectionOf(request.query as Query), 'User');
  }
}
