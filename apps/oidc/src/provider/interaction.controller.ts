import { Controller, Get, Logger, Param, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DATABASE_RETRY_AFTER_SECONDS, databaseFailure } from '@app/identity/database/database-errors';
import { PAGE_HEADERS, signInPage } from '../sign-in/sign-in-page';
import { InteractionFlow } from './interaction-flow.service';

/**
 * `/oidc/interaction/{uid}`: where the provider sends a browser that must sign
 * in. Which organization, then the gateway's own sign-in through the tenant's
 * IdP (or the session the browser already has), then back to the provider.
 * The email page submits here with GET, so no body is parsed.
 */
@Controller('oidc/interaction')
export class InteractionController {
  private readonly logger = new Logger(InteractionController.name);

  constructor(private readonly flow: InteractionFlow) {}

  @Get(':uid')
  async step(
    @Param('uid') uid: string,
    @Query('email') email: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    try {
      await this.flow.step(request, reply, uid, typeof email === 'string' ? email : undefined);
    } catch (error) {
      // PostgreSQL away or too slow (the product, the organization, the user): a plain page, and the
      // browser may retry shortly; the interaction stays in Redis, so the same address works then.
      const database = databaseFailure(error);
      if (database === undefined || reply.sent) throw error;
      this.logger.warn(
        { reason: database, reference: String(request.id) },
        'sign-in for a product paused: the database is unavailable',
      );
      void reply
        .status(503)
        .header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS))
        .headers(PAGE_HEADERS)
        .send(
          signInPage({
            title: 'Sign-in is not available',
            message: 'Sign-in is briefly unavailable. Please try again shortly.',
            reference: String(request.id),
          }),
        );
    }
  }
}
