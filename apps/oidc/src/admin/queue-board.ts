import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { QueueName } from '@app/identity/deliveries/delivery-jobs';
import { EventQueues } from '@app/identity/deliveries/event-queues';
import { secretsEqual } from '@app/identity';
import { ResolvedConfig, bearerToken } from '@app/platform';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where Bull Board (the queues' dashboard) is served in the OIDC app. */
export const QUEUE_BOARD_PATH = '/admin/queues';

/**
 * Mounts Bull Board for the fan-out's queues behind the admin token. A script
 * sends `Authorization: Bearer $ADMIN_TOKEN`; a browser gets a Basic prompt,
 * where the password is the admin token (any user name).
 */
export async function mountQueueBoard(app: NestFastifyApplication, config: ResolvedConfig): Promise<void> {
  const queues = app.get(EventQueues);
  const serverAdapter = new FastifyAdapter().setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: Object.values(QueueName).map((name) => new BullMQAdapter(queues.queue(name))),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Identity gateway queues' } },
  });
  // An encapsulated scope: the hook guards the board's routes and nothing else.
  await app.register(async (scope: FastifyInstance) => {
    scope.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      if (!isOperator(request.headers.authorization, config.adminToken)) {
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
