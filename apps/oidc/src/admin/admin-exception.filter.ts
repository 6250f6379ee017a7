import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { IdentityError, IdentityErrorCode } from '@app/identity';
import { DATABASE_RETRY_AFTER_SECONDS, databaseFailure } from '@app/identity/database/database-errors';
import { CursorExpiredError } from '@app/identity/events-feed/cursor-expired.error';
import { httpErrorMessage, httpStatusOf, isRedisUnavailable, loggableReason } from '@app/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';

const STATUS_OF: Record<IdentityErrorCode, number> = {
  invalid_request: HttpStatus.BAD_REQUEST,
  forbidden: HttpStatus.FORBIDDEN,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  unprocessable: HttpStatus.UNPROCESSABLE_ENTITY,
};

const CODE_OF_STATUS: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'too_many_requests',
  503: 'unavailable',
};

/** What every 503 (the database, Redis or a queue away for now) tells the caller to wait. */
const RETRY_AFTER_SECONDS = DATABASE_RETRY_AFTER_SECONDS;

/** Routes whose errors are JSON `{error}` bodies; sign-in pages render their own. */
const JSON_ERROR_PREFIXES = ['/admin/', '/auth/', '/.well-known/', '/api/', '/portal/api/', '/console/api/'];

/** A code an HttpException names itself (`new ForbiddenException({code: 'csrf', message})`). */
function codeOf(exception: unknown): string | undefined {
  if (!(exception instanceof HttpException)) return undefined;
  const response = exception.getResponse();
  const code = typeof response === 'object' ? (response as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** The admin API's error body. */
export interface AdminErrorBody {
  error: { code: string; message: string; requestId?: string };
}

/**
 * Renders every error of the admin API and the session routes as `{error: {code, message}}`, unknown
 * errors as a 500 without details; other routes (health probes) keep Nest's rendering.
 */
@Catch()
export class AdminExceptionFilter extends BaseExceptionFilter {
  private readonly logger = new Logger(AdminExceptionFilter.name);

  override catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (!JSON_ERROR_PREFIXES.some((prefix) => request.url.startsWith(prefix))) return super.catch(exception, host);
    const { status, body } = this.describe(exception, String(request.id));
    if (status === 401) void reply.header('WWW-Authenticate', 'Bearer');
    if (status === 503) void reply.header('Retry-After', String(RETRY_AFTER_SECONDS));
    void reply.status(status).send(body);
  }

  private describe(exception: unknown, requestId: string): { status: number; body: AdminErrorBody } {
    if (exception instanceof IdentityError) {
      return {
        status: STATUS_OF[exception.code],
        body: { error: { code: exception.code, message: exception.message } },
      };
    }
    if (exception instanceof CursorExpiredError) {
      return { status: HttpStatus.GONE, body: { error: { code: exception.code, message: exception.message } } };
    }
    if (isRedisUnavailable(exception)) {
      // Expected while Redis is away (the app's Redis client reports the outage): no stack.
      this.logger.warn({ reason: (exception as Error).message, requestId }, 'Redis is unavailable');
      return {
        status: HttpStatus.SERVICE_UNAVAILABLE,
        body: { error: { code: 'unavailable', message: 'sessions are unavailable; try again shortly', requestId } },
      };
    }
    const database = databaseFailure(exception);
    if (database !== undefined) {
      // Expected while PostgreSQL is away or too slow: one line, no stack; the caller retries.
      const line = database === 'timeout' ? 'a request ran out of database time' : 'the database is unavailable';
      this.logger.warn({ reason: loggableReason(exception), requestId }, line);
      return {
        status: HttpStatus.SERVICE_UNAVAILABLE,
        body: {
          error: { code: 'unavailable', message: 'the database is unavailable; try again shortly', requestId },
        },
      };
    }
    const status = httpStatusOf(exception);
    if (status !== undefined) {
      return {
        status,
        body: {
          error: {
            code: codeOf(exception) ?? CODE_OF_STATUS[status] ?? (status < 500 ? 'invalid_request' : 'internal_error'),
            message: httpErrorMessage(exception),
          },
        },
      };
    }
    this.logger.error({ err: exception, requestId }, 'unhandled error in the admin API');
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      body: { error: { code: 'internal_error', message: 'internal error', requestId } },
    };
  }
}
