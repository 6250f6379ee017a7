import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InteractionFlow } from './interaction-flow.service';

/**
 * `/oidc/interaction/{uid}`: where the provider sends a browser that must sign
 * in. Which organization, then the gateway's own sign-in through the tenant's
 * IdP (or the session the browser already has), then back to the provider.
 * The email page submits here with GET, so no body is parsed.
 */
@Controller('oidc/interaction')
export class InteractionController {
  constructor(private readonly flow: InteractionFlow) {}

  @Get(':uid')
  async step(
    @Param('uid') uid: string,
    @Query('email') email: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.flow.step(request, reply, uid, typeof email === 'string' ? email : undefined);
  }
}
