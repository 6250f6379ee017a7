import { ArgumentsHost, Catch, ExceptionFilter, Injectable, Logger } from '@nestjs/common';
import { httpErrorMessage, httpStatusOf, isRedisUnavailable, loggableReason } from '@app/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequestLogService } from '@app/identity/request-log/request-log.service';
import { SignInError } from './sign-in-error';
import { signInFailureRecord } from './sign-in-failure.record';
import { PAGE_HEADERS, signInPage } from './sign-in-page';
import { SignInMetrics } from './sign-in.metrics';

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
    // A refusal is expected (a wrong link, an IdP's error, a disabled user): one line with its reason.
    // Only the unexpected keeps its stack.
    if (page.status >= 500 && !isRedisUnavailable(exception)) {
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
    void reply
      .status(page.status)
      .headers(PAGE_HEADERS)
      .send(signInPage({ title: page.title, message: page.message, reference }));
  }

  private describe(exception: unknown): { status: number; title: string; message: string } {
    if (exception instanceof SignInError) {
      return { status: exception.status, title: exception.title, message: exception.message };
    }
    if (isRedisUnavailable(exception)) {
      return {
        status: 503,
        title: 'Sign-in is not available',
        message: 'Sign-in is briefly unavailable. Please try again shortly.',
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
