import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { QueueName } from '@app/identity/deliveries/delivery-jobs';
import { EventQueues } from '@app/identity/deliveries/event-queues';
import { secretsEqual } from '@app/identity';
import { RateLimits, ResolvedConfig, bearerToken, tooManyRequests } from '@app/platform';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where Bull Board (the queues' dashboard) is served in the OIDC app. */
export const QUEUE_BOARD_PATH = '/admin/queues';

/**
 * The board is a single-page app that loads only its own scripts, styles and
 * images and calls only its own API: nothing else may run or load, and no
 * other site may frame it (clickjacking an operator). Styles stay
 * 'unsafe-inline' for the style attributes its markup carries; its Google
 * Fonts stylesheet is not allowed (the page falls back to local fonts, and an
 * operator's page makes no third-party request).
 */
export const QUEUE_BOARD_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-frame-options': 'DENY',
};

/**
 * Mounts Bull Board for the fan-out's queues behind the admin token. A script
 * sends `Authorization: Bearer $ADMIN_TOKEN`; a browser gets a Basic prompt,
 * where the password is the admin token (any user name). A wrong token
 * counts against the client's address like any failed authentication.
 */
export async function mountQueueBoard(app: NestFastifyApplication, config: ResolvedConfig): Promise<void> {
  const queues = app.get(EventQueues);
  const limits = app.get(RateLimits);
  const serverAdapter = new FastifyAdapter().setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: Object.values(QueueName).map((name) => new BullMQAdapter(queues.queue(name))),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Identity gateway queues' } },
  });
  // An encapsulated scope: the hook guards the board's routes and nothing else.
  await app.register(async (scope: FastifyInstance) => {
    scope.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      void reply.headers(QUEUE_BOARD_HEADERS);
      if (!isOperator(request.headers.authorization, config.adminToken)) {
        // A browser's first request carries no credentials (it awaits the prompt): only a wrong one is a failure.
        const failures =
          request.headers.authorization === undefined ? undefined : await limits.failedAuthentication(request);
        if (failures !== undefined && !failures.allowed) {
          const refusal = tooManyRequests(reply, failures, 'too many failed authentications from this address');
          await reply.status(429).send({ error: { code: 'too_many_requests', message: refusal.message } });
          return;
        }
        await reply
          .status(401)
          .header('www-authenticate', 'Basic realm="queues", charset="UTF-8"')
          .send({
            error: { code: 'unauthorized', message: 'the admin token is required' },
          });
      }
    });
    await scope.register(serverAdapter.registerPlugin(), { prefix: QUEUE_BOARD_PATH });
  });
}

function isOperator(authorization: string | undefined, adminToken: string): boolean {
  const bearer = bearerToken(authorization);
  if (bearer) return secretsEqual(bearer, adminToken);
  const basic = /^basic\s+(\S+)$/i.exec(authorization ?? '');
  if (!basic) return false;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  return separator >= 0 && secretsEqual(decoded.slice(separator + 1), adminToken);
}
