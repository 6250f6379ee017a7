import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { LoggerModule, Params, PinoLogger } from 'nestjs-pino';
import * as onExit from 'on-exit-leak-free';
import { destination as pinoDestination, type DestinationStream, type Logger } from 'pino';
import type { Options } from 'pino-http';
import { ResolvedConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { PRETTY_FOLDED_FIELDS, isStartupChatter, prettyMessage, requestLine } from './log-format';
import { loggableError } from './loggable-error';
import { LineBatches } from './line-batches';
import { loggablePath } from './loggable-path';
import { requestLineWriter } from './request-line-writer';

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

/** What both formats share: level, redaction, one line per request with its id, no query strings. */
function baseOptions(config: Pick<ResolvedConfig, 'logLevel'>): Options {
  return {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // Log the route, never the query string: SCIM filters carry user names and emails.
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        path: loggablePath(req.url),
      }),
      // A database error carries its statement, parameters and the rows it failed on: none of them is written.
      err: loggableError,
      error: loggableError,
    },
  };
}

/**
 * The pretty format: short colored lines for a person at a terminal. pino-pretty
 * is loaded here only, so the JSON path (production) never loads it.
 */
async function prettyOptions(
  config: Pick<ResolvedConfig, 'logLevel'>,
  destination?: NodeJS.WritableStream,
): Promise<[Options, DestinationStream]> {
  const { default: pretty } = await import('pino-pretty');
  const stream = pretty({
    // Colors when writing to a terminal that shows them (pino-pretty's own detection); none into a test's sink.
    ...(destination === undefined ? {} : { colorize: false }),
    sync: true,
    destination,
    translateTime: 'SYS:HH:MM:ss',
    // The request id stays, and a sign-in's reference is folded into its line: an error page shows them.
    ignore: ['pid', 'hostname', 'req', 'res', 'responseTime', ...PRETTY_FOLDED_FIELDS].join(','),
    messageFormat: prettyMessage,
  });
  const base = baseOptions(config);
  return [
    {
      ...base,
      customSuccessMessage: (req: IncomingMessage, res: ServerResponse, ms: number) =>
        requestLine(req.method ?? '', req.url ?? '', res.statusCode, ms),
      customErrorMessage: (req: IncomingMessage, res: ServerResponse) =>
        requestLine(req.method ?? '', req.url ?? '', res.statusCode, 0).replace(/ 0ms$/, ''),
      // The exception filter has already logged the error (with its stack when unexpected).
      customErrorObject: (_req: IncomingMessage, _res: ServerResponse, _error: Error, value: object) => ({
        ...value,
        err: undefined,
      }),
      hooks: {
        logMethod(args, method, level) {
          if (!isStartupChatter(level, args[0])) method.apply(this, args);
        },
      },
    },
    stream,
  ];
}

/** Longest a JSON line waits in the buffer of standard output. */
const FLUSH_EVERY_MS = 200;

/**
 * Standard output for JSON lines, written 4 KiB at a time (or every FLUSH_EVERY_MS): one write
 * for about ten request lines instead of one each, which was a tenth of a SCIM lookup's CPU.
 * LineBatches gathers the lines (see there why not sonic-boom's minLength) and writes each batch
 * synchronously, as pino's default destination writes each line: no write is ever in flight,
 * so what is gathered when the process exits, a crash included, is written then, after all that
 * came before it. Only a SIGKILL loses the last fraction of a second.
 */
function bufferedStandardOutput(): DestinationStream {
  const stream = new LineBatches(pinoDestination({ dest: 1, sync: true }), 4096);
  onExit.register(stream, flushAtExit);
  setInterval(() => {
    try {
      stream.flush();
    } catch {
      // Standard output is gone (a closed pipe): pino's destination stops writing to it.
    }
  }, FLUSH_EVERY_MS).unref();
  return stream;
}

function flushAtExit(stream: LineBatches): void {
  try {
    stream.flushSync();
  } catch {
    // Standard output is gone (a closed pipe): nowhere left to write to.
  }
}

/**
 * The nestjs-pino parameters of an app: JSON lines, or short readable lines when
 * LOG_FORMAT is pretty (written to `destination`, standard output unless given).
 */
export async function loggerParams(
  config: Pick<ResolvedConfig, 'logLevel' | 'logFormat'>,
  destination?: NodeJS.WritableStream,
  requestLines: RequestLines = 'middleware',
): Promise<Params> {
  const pinoHttp: Params['pinoHttp'] =
    config.logFormat === 'pretty'
      ? await prettyOptions(config, destination)
      : [baseOptions(config), destination ?? bufferedStandardOutput()];
  return {
    pinoHttp,
    // With request lines from the hook, pino-http is kept for the logger it makes but is applied to no route:
    // nothing is left for Nest's middleware (and @fastify/middie) to match on each request.
    ...(requestLines === 'hook' ? { forRoutes: [] } : {}),
    exclude: PROBES.map(({ path }) => ({ method: RequestMethod.GET, path: path.slice(1) })),
  };
}

/** Who writes an app's request lines: pino-http as Nest middleware, or logRequestsFromHook. */
export type RequestLines = 'middleware' | 'hook';

/** Probes arrive every few seconds and say nothing worth keeping: no request line. */
const PROBES = [{ path: '/health/live' }, { path: '/health/ready' }, { path: '/metrics' }];

function isProbe(method: string, url: string): boolean {
  if (method !== 'GET') return false;
  const path = url.split('?', 1)[0];
  return PROBES.some((probe) => probe.path === path);
}

/**
 * Writes the request line of every request but the probes from a Fastify onResponse hook, for an app
 * whose LoggingModule was made with `requestLines: 'hook'` (the SCIM app): the line pino-http wrote
 * ("request completed", `req` with id, method and path, `res.statusCode`, `responseTime`; the pretty
 * format's short line) without the response headers, through the same logger and destination.
 *
 * Why not pino-http there: it runs as Nest middleware, and nestjs-pino enters an AsyncLocalStorage
 * for every request, which on Node.js 20 puts a hook on every promise of the process; with a child
 * logger per request that was about a fifth of a SCIM lookup's CPU (docs/PERFORMANCE.md). What is
 * lost is the request's bindings on lines logged while it runs: the SCIM app's error lines name
 * their request id themselves.
 */
export function logRequestsFromHook(fastify: FastifyInstance, config: Pick<ResolvedConfig, 'logFormat'>): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    done();
    if (isProbe(request.method, request.url)) return;
    const lines = requestLinesOf(PinoLogger.root);
    if (!lines?.logger.isLevelEnabled('info')) return;
    const fields = {
      id: String(request.id),
      method: request.method,
      // What the app's serializers make of a request (see baseOptions), built here as it is written.
      path: loggablePath(request.url),
      statusCode: reply.statusCode,
      responseTime: Math.round(reply.elapsedTime),
    };
    if (config.logFormat === 'pretty' || !lines.write) {
      const message =
        config.logFormat === 'pretty'
          ? requestLine(request.method, request.url, fields.statusCode, fields.responseTime)
          : 'request completed';
      // The status alone: pino-http also logged the response's headers, which would only be cloned and scanned.
      lines.logger.info(
        {
          req: { id: fields.id, method: fields.method, path: fields.path },
          res: { statusCode: fields.statusCode },
          responseTime: fields.responseTime,
        },
        message,
      );
    } else {
      lines.write(fields, 'request completed');
    }
  });
}

/** The logger of request lines, and its hand-built JSON line when it has one (see requestLineWriter). */
interface RequestLineOutput {
  readonly logger: Logger;
  readonly write: ReturnType<typeof requestLineWriter>;
}

const requestLinesByRoot = new WeakMap<Logger, RequestLineOutput>();

const asIs = <T>(value: T): T => value;

/**
 * The logger of request lines: the app's own (its level, serializers and destination) without the redaction
 * pass, which would look for secrets in every line where none can be: a request line holds the request id
 * (plain characters only, see requestId), the method, the path as loggablePath writes it, the status and
 * the time, and never a header, a query string or a body. Its `req` and `res` are written as given: the
 * hook hands them over already in the shape the app's serializers give.
 */
function requestLinesOf(root: Logger | undefined): RequestLineOutput | undefined {
  if (!root) return undefined;
  let lines = requestLinesByRoot.get(root);
  if (!lines) {
    const logger = root.child({}, { redact: [], serializers: { req: asIs, res: asIs } });
    lines = { logger, write: requestLineWriter(logger) };
    requestLinesByRoot.set(root, lines);
  }
  return lines;
}

/**
 * Logs through pino, one line per request with its id, secrets redacted; `requestLines: 'hook'` for an
 * app that writes its request lines with logRequestsFromHook.
 */
@Module({})
export class LoggingModule {
  static forRoot(requestLines: RequestLines = 'middleware'): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: ResolvedConfig) => loggerParams(config, config.logDestination, requestLines),
        }),
      ],
    };
  }
}
