import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ScimPrincipal } from '@app/identity';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { boundedCost } from './bounded-cost';
import { Release, TenantLimiter } from './tenant-limiter';

const RELEASE = Symbol('tenant-turn-release');

type WithTurn = FastifyRequest & { [RELEASE]?: Release };

/**
 * Runs each authenticated SCIM request in a turn of its tenant (see TenantLimiter): taken by
 * ScimAuthGuard once the token names the tenant, before the handler touches the database; given
 * back when the answer is sent (success or error alike, in the onSend hook), or when the
 * connection closes first.
 *
 * Why a guard and a hook rather than a Nest interceptor: an interceptor puts RxJS and
 * AsyncResource.bind on every request of the app, about a tenth of a lookup's CPU (docs/PERFORMANCE.md).
 */
@Injectable()
export class TenantTurns implements OnModuleInit {
  constructor(
    private readonly limiter: TenantLimiter,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onSend', (request: WithTurn, _reply, payload, done) => {
      request[RELEASE]?.();
      done(null, payload);
    });
  }

  /** Waits for the tenant's turn (or rejects with TenantBusyError); the turn ends with the response. */
  async take(request: FastifyRequest, reply: FastifyReply, principal: ScimPrincipal): Promise<void> {
    const release = await this.limiter.acquire(principal.tenantId, principal.tokenId, boundedCost(request));
    (request as WithTurn)[RELEASE] = release;
    // A client that goes away before its answer still gives the turn back (Release runs once).
    reply.raw.once('close', release);
  }
}
