import pino, { type Logger } from 'pino';
import { requestLineWriter, type RequestLineFields } from './request-line-writer';

/** A logger writing into `lines`, at a fixed time so that two lines can be compared byte for byte. */
function captured(options: pino.LoggerOptions = {}): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino(
    { timestamp: () => ',"time":1764876000000', ...options },
    { write: (line: string) => void lines.push(line) },
  );
  return {
    logger: logger.child({}, { redact: [], serializers: { req: (v: unknown) => v, res: (v: unknown) => v } }),
    lines,
  };
}

const FIELDS: RequestLineFields = {
  id: '4f9c7a2e-8d1b-4c3a-9e5f-0a1b2c3d4e5f',
  method: 'GET',
  path: '/scim/v2/Users/2819c223-7f76-453a-919d-413861904646',
  statusCode: 200,
  responseTime: 3,
};

function throughPino(logger: Logger, fields: RequestLineFields, message: string): void {
  logger.info(
    {
      req: { id: fields.id, method: fields.method, path: fields.path },
      res: { statusCode: fields.statusCode },
      responseTime: fields.responseTime,
    },
    message,
  );
}

describe('requestLineWriter', () => {
  it.each<[string, RequestLineFields]>([
    ['a lookup', FIELDS],
    ['an error with a caller’s request id', { ...FIELDS, id: 'okta-req.1:2_3', statusCode: 409, responseTime: 0 }],
    [
      'a path with escapes',
      { ...FIELDS, method: 'PATCH', path: '/scim/v2/Groups/a%22b%5Cc\u2028"\\', responseTime: 1234 },
    ],
  ])('writes what pino writes for %s', (_name, fields) => {
    const expected = captured();
    throughPino(expected.logger, fields, 'request completed');
    const actual = captured();
    requestLineWriter(actual.logger)!(fields, 'request completed');
    expect(actual.lines).toEqual(expected.lines);
    expect(JSON.parse(actual.lines[0])).toMatchObject({
      level: 30,
      req: { path: fields.path },
      res: { statusCode: fields.statusCode },
    });
  });

  it('keeps the bindings of the logger (pid, hostname, a child’s own) in pino’s place', () => {
    const base = captured({ base: { pid: 7, hostname: 'gw-1', app: 'scim' } });
    const expected = captured({ base: { pid: 7, hostname: 'gw-1', app: 'scim' } });
    throughPino(expected.logger, FIELDS, 'request completed');
    requestLineWriter(base.logger)!(FIELDS, 'request completed');
    expect(base.lines).toEqual(expected.lines);
  });

  it.each<[string, pino.LoggerOptions]>([
    ['level labels', { formatters: { level: (label: string) => ({ level: label }) } }],
    ['a mixin', { mixin: () => ({ region: 'eu' }) }],
    ['another message key', { messageKey: 'message' }],
  ])('declines a logger with %s: the caller logs through pino', (_name, options) => {
    expect(requestLineWriter(captured(options).logger)).toBeUndefined();
  });
});
