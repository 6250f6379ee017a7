import { stdSerializers } from 'pino';
import { QueryFailedError } from 'typeorm';
import { loggableError, loggableMessage, loggableReason, withoutLiterals } from './loggable-error';

const HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g';

/** A unique violation as pg raises it and TypeORM wraps it. */
function uniqueViolation(): QueryFailedError {
  const driverError = Object.assign(new Error('duplicate key value violates unique constraint "users_user_name_key"'), {
    severity: 'ERROR',
    code: '23505',
    detail: 'Key (tenant_id, lower(user_name))=(7, alice@acme.test) already exists.',
    schema: 'public',
    table: 'users',
    constraint: 'users_user_name_key',
    where: 'SQL statement "INSERT INTO users VALUES (\'alice@acme.test\')"',
  });
  return new QueryFailedError(
    'INSERT INTO users (user_name, password_hash) VALUES ($1, $2)',
    ['alice@acme.test', HASH],
    driverError,
  );
}

describe('loggableError', () => {
  it('keeps what names a database failure and drops the statement, its values and the detail', () => {
    const logged = JSON.stringify(loggableError(uniqueViolation()));
    expect(logged).not.toContain('alice@acme.test');
    expect(logged).not.toContain('$argon2');
    expect(logged).not.toContain('INSERT');
    expect(JSON.parse(logged)).toMatchObject({
      type: 'QueryFailedError',
      code: '23505',
      table: 'users',
      constraint: 'users_user_name_key',
      message: 'duplicate key value violates unique constraint "…"',
    });
  });

  it('removes the values PostgreSQL quotes in a message, also from the stack', () => {
    const driverError = Object.assign(new Error('invalid input syntax for type uuid: "bob@acme.test"'), {
      severity: 'ERROR',
      code: '22P02',
    });
    const logged = loggableError(new QueryFailedError('SELECT 1', ['bob@acme.test'], driverError)) as {
      message: string;
      stack: string;
    };
    expect(logged.message).toBe('invalid input syntax for type uuid: "…"');
    expect(logged.stack).toContain('invalid input syntax for type uuid');
    expect(JSON.stringify(logged)).not.toContain('bob@acme.test');
  });

  it('cleans a database error that is the cause of another, and the pino form pino-http hands over', () => {
    const wrapped = new Error('sign-in failed', { cause: uniqueViolation() });
    for (const input of [wrapped, stdSerializers.err(wrapped)]) {
      const logged = JSON.stringify(loggableError(input));
      expect(logged).toContain('sign-in failed');
      expect(logged).toContain('23505');
      expect(logged).not.toMatch(/alice@acme\.test|\$argon2|INSERT/);
    }
  });

  it('keeps the message and fields of other errors, and what is no error', () => {
    const error = Object.assign(new Error('Redis said "no"'), { code: 'ECONNREFUSED', port: 6379 });
    expect(loggableError(error)).toMatchObject({ type: 'Error', message: 'Redis said "no"', port: 6379 });
    expect(loggableError('plain text')).toBe('plain text');
    expect(loggableError(undefined)).toBeUndefined();
  });

  it.each([
    ['value too long for type character varying(64)', 'value too long for type character varying(64)'],
    ['syntax at "x\\"y" and \'z\'', 'syntax at "…" and \'…\''],
  ])('withoutLiterals(%p)', (input, expected) => {
    expect(withoutLiterals(input)).toBe(expected);
  });
});

describe('loggableReason', () => {
  it('is the cleaned message of an error, or the text of anything else', () => {
    const driverError = Object.assign(new Error('invalid input syntax for type uuid: "carol@acme.test"'), {
      severity: 'ERROR',
      code: '22P02',
    });
    expect(loggableReason(new QueryFailedError('SELECT 1', [], driverError))).toBe(
      'invalid input syntax for type uuid: "…"',
    );
    expect(loggableReason(new Error('the IdP said no'))).toBe('the IdP said no');
    expect(loggableReason('text')).toBe('text');
  });
});

describe('loggableMessage', () => {
  it('leaves the quoted values out of a database error’s message', () => {
    const invalidUuid = Object.assign(new Error('invalid input syntax for type uuid: "ada@acme.test"'), {
      severity: 'ERROR',
      code: '22P02',
    });
    const message = loggableMessage(invalidUuid);
    expect(message).toContain('invalid input syntax for type uuid');
    expect(message).not.toContain('ada@acme.test');
  });

  it('keeps another error’s message, and says what a thrown non-error was', () => {
    expect(loggableMessage(new Error('Connection is closed.'))).toBe('Connection is closed.');
    expect(loggableMessage('timeout')).toBe('timeout');
  });
});
