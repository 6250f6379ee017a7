import { Writable } from 'node:stream';
import type { Params } from 'nestjs-pino';
import pino, { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import { REDACTED_PATHS, loggerParams } from './logging.module';

function sink(): { stream: Writable; output: () => string } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { stream, output: () => lines.join('') };
}

const SECRETS = {
  req: { headers: { authorization: 'Bearer gws_SECRET1', cookie: 'sid=SECRET2' } },
  res: { headers: { 'set-cookie': 'sid=SECRET3' } },
  input: {
    password: 'SECRET4',
    token: 'SECRET5',
    clientSecret: 'SECRET6',
    client_secret: 'SECRET7',
    secret: 'SECRET8',
  },
};

/** The logger an app builds from its parameters, writing to `destination` in the JSON format. */
function loggerOf(params: Params, destination: Writable): pino.Logger {
  const pinoHttp = params.pinoHttp as Options | [Options, DestinationStream];
  return Array.isArray(pinoHttp) ? pino(pinoHttp[0], pinoHttp[1]) : pino(pinoHttp, destination);
}

describe('log redaction', () => {
  it('never writes authorization headers, cookies, tokens, passwords or secrets', () => {
    const { stream, output } = sink();
    const logger = pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, stream);
    logger.info(SECRETS);
    expect(output()).not.toMatch(/SECRET\d/);
    expect(output().match(/\[redacted\]/g)).toHaveLength(8);
  });

  it.each(['json', 'pretty'] as const)('applies in the %s format the apps use', async (logFormat) => {
    const { stream, output } = sink();
    const logger = loggerOf(await loggerParams({ logLevel: 'info', logFormat }, stream), stream);
    // Request and response objects go through serializers that keep no headers; the rest is redacted by path.
    logger.info({ input: SECRETS.input, connection: { ...SECRETS.input } }, 'a line with secrets');
    expect(output()).toContain('a line with secrets');
    expect(output()).not.toMatch(/SECRET\d/);
    expect(output()).toContain('[redacted]');
    if (logFormat === 'json') expect(() => JSON.parse(output()) as unknown).not.toThrow();
    else expect(output().trimStart().startsWith('{')).toBe(false);
  });
});
