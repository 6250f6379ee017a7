import { HttpException } from '@nestjs/common';

/**
 * The HTTP status an error stands for: a Nest HttpException's, or the
 * `statusCode` of a Fastify error (bad JSON, body too large, wrong media type).
 */
export function httpStatusOf(exception: unknown): number | undefined {
  if (exception instanceof HttpException) return exception.getStatus();
  const statusCode = (exception as { statusCode?: unknown } | null)?.statusCode;
  return typeof statusCode === 'number' && statusCode >= 400 && statusCode < 600 ? statusCode : undefined;
}

/** A message fit to show the caller of a refused request (never used for 5xx, whose details stay in the logs). */
export function httpErrorMessage(exception: unknown): string {
  if (exception instanceof HttpException) {
    const response = exception.getResponse();
    if (typeof response === 'string') return response;
    const message = (response as { message?: unknown }).message;
    if (Array.isArray(message)) return message.join('; ');
    return typeof message === 'string' ? message : exception.message;
  }
  return exception instanceof Error ? exception.message : 'request refused';
}
