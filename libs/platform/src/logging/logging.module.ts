import { randomUUID } from 'node:crypto';
import { Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { ResolvedConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';

/** Log paths that may carry a secret; pino replaces their values before anything is written. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.accessToken',
  '*.access_token',
  '*.idToken',
  '*.id_token',
  '*.refresh_token',
  '*.secret',
  '*.clientSecret',
  '*.client_secret',
  '*.adminToken',
];

// An incoming X-Request-Id is reused only when it is short and plain, so a
// client cannot inject control characters or megabytes into every log line.
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request id: the caller's X-Request-Id when acceptable, else a new UUID. */
export function requestId(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** JSON logs through pino, one line per request with its id, secrets redacted. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: ResolvedConfig) => ({
        pinoHttp: {
          level: config.logLevel,
          redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
          // Log the route, never the query string: SCIM filters carry user names and emails.
          serializers: {
            req: (req: { id: string; method: string; url: string }) => ({
              id: req.id,
              method: req.method,
              path: req.url.split('?')[0],
            }),
          },
        },
        // Probes arrive every few seconds and say nothing worth keeping.
        exclude: [
          { method: RequestMethod.GET, path: 'health/(.*)' },
          { method: RequestMethod.GET, path: 'metrics' },
        ],
      }),
    }),
  ],
})
export class LoggingModule {}
