import { ArgumentsHost, Catch, ExceptionFilter, Injectable, Logger } from '@nestjs/common';
import { httpErrorMessage, httpStatusOf, isRedisUnavailable, loggableReason } from '@app/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DATABASE_RETRY_AFTER_SECONDS, databaseFailure } from '@app/identity/database/database-errors';
import { RequestLogService } from '@app/identity/request-log/request-log.service';
import { SignInError } from './sign-in-error';
import { signInFailureRecord } from './sign-in-failure.record';
import { PAGE_HEADERS, signInPage } from './sign-in-page';
import { SignInMetrics } from './sign-in.metrics';

interface FailurePage {
  readonly status: number;
  readonly title: string;
  readonly message: string;
  /** Seconds the browser is told to wait (Retry-After), for an outage that passes. */
  readonly retryAfter?: number;
  /** Redis or PostgreSQL away: expected, logged without a stack. */
  readonly outage?: boolean;
}

/**
 * Renders a failed sign-in as a plain page with a reference id (the request
 * id, which every log line of the request carries); no session is started.
 */
@Catch()
@Injectable()
export class SignInExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('SignIn');

  constructor(
    private readonly metrics: SignInMetrics,
    private readonly requestLog: RequestLogService,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const reference = String(request.id);
    const page = this.describe(exception);
    const cause = exception instanceof SignInError ? (exception.cause ?? exception) : exception;
    // A refusal is expected (a wrong link, an IdP's error, a disabled user), and so is an outage of
    // Redis or PostgreSQL: one line with its reason. Only the unexpected keeps its stack.
    if (page.status >= 500 && !page.outage) {
      this.logger.error({ err: cause, reference }, `sign-in failed: ${page.message}`);
    } else {
      this.logger.warn({ reason: loggableReason(cause), reference }, `sign-in refused: ${page.message}`);
    }
    // For the tenant's administrators (GET /admin/v1/tenants/{slug}/sign-in-failures); buffered, off the request.
    const tenantId = exception instanceof SignInError ? exception.tenantId : undefined;
    const failure = signInFailureRecord(request, { ...page, tenantId }, loggableReason(cause), new Date());
    if (failure) this.requestLog.recordSignInFailure(failure);
    if (request.url.startsWith('/auth/callback')) {
      this.metrics.signIn(page.status >= 500 ? 'error' : page.status === 403 ? 'refused' : 'failed');
    }
    if (page.retryAfter !== undefined) void reply.header('retry-after', String(page.retryAfter));
    void reply
      .status(page.status)
      .headers(PAGE_HEADERS)
      .send(signInPage({ title: page.title, message: page.message, reference }));
  }

  private describe(exception: unknown): FailurePage {
    // PostgreSQL away or too slow (the tenant, its connection, the user): the person tries again shortly.
    // Also when a step wrapped it in a SignInError of its own (the IdP's client, say).
    const database =
      databaseFailure(exception) ?? (exception instanceof SignInError ? databaseFailure(exception.cause) : undefined);
    if (database !== undefined) {
      return {
        status: 503,
        title: 'Sign-in is not available',
        message: 'Sign-in is briefly unavailable. Please try again shortly.',
        retryAfter: DATABASE_RETRY_AFTER_SECONDS,
        outage: true,
      };
    }
    if (exception instanceof SignInError) {
      return { status: exception.status, title: exception.title, message: exception.message };
    }
    if (isRedisUnavailable(exception)) {
      return {
        status: 503,
        title: 'Sign-in is not available',
        message: 'Sign-in is briefly unavailable. Please try again shortly.',
        outage: true,
      };
    }
    const status = httpStatusOf(exception);
    if (status !== undefined && status < 500) {
      return { status, title: 'Sign-in failed', message: httpErrorMessage(exception) };
    }
    return {
      status: 500,
      title: 'Something went wrong',
      message: 'The sign-in could not be completed. Please try again.',
    };
  }
}
