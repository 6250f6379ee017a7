import { Writable } from 'node:stream';
import pino from 'pino';
import { REDACTED_PATHS } from './logging.module';

describe('log redaction', () => {
  it('never writes authorization headers, cookies, tokens, passwords or secrets', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink);
    logger.info({
      req: { headers: { authorization: 'Bearer gws_SECRET1', cookie: 'sid=SECRET2' } },
      res: { headers: { 'set-cookie': 'sid=SECRET3' } },
      input: {
        password: 'SECRET4',
        token: 'SECRET5',
        clientSecret: 'SECRET6',
        client_secret: 'SECRET7',
        secret: 'SECRET8',
      },
    });
    const output = lines.join('');
    expect(output).not.toMatch(/SECRET\d/);
    expect(output.match(/\[redacted\]/g)).toHaveLength(8);
  });
});
