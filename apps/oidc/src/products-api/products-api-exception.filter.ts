import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import { CursorExpiredError } from '@app/identity/events-feed/cursor-expired.error';
import type { FastifyReply } from 'fastify';
import { ProductsApiError } from './products-api.error';

/**
 * Renders the products API's own refusals as `{error: {code, message}}`; every
 * other error (invalid_request, forbidden, not_found…) is the admin API's filter's.
 */
@Catch(ProductsApiError, CursorExpiredError)
export class ProductsApiExceptionFilter implements ExceptionFilter {
  catch(exception: ProductsApiError | CursorExpiredError, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (exception instanceof ProductsApiError) {
      void reply
        .status(exception.status)
        .header('WWW-Authenticate', exception.challenge)
        .send({ error: { code: exception.code, message: exception.message } });
      return;
    }
    // 410 Gone: the events before this cursor no longer exist; the message says to list the directory again.
    void reply.status(410).send({ error: { code: exception.code, message: exception.message } });
  }
}
