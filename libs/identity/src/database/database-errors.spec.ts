import { QueryFailedError } from 'typeorm';
import { databaseFailure } from './database-errors';

const withCode = (message: string, code: string): Error => Object.assign(new Error(message), { code });
const failedQuery = (driverError: Error): QueryFailedError => new QueryFailedError('SELECT 1', [], driverError);

describe('databaseFailure', () => {
  it.each([
    ['a statement timeout', failedQuery(withCode('canceling statement due to statement timeout', '57014'))],
    ['a wait for a pooled connection', new Error('timeout exceeded when trying to connect')],
    ['a connection that took too long to open', new Error('Connection terminated due to connection timeout')],
  ])('%s is a timeout', (_, error) => {
    expect(databaseFailure(error)).toBe('timeout');
  });

  it.each([
    ['a terminated backend', failedQuery(withCode('terminating connection due to administrator command', '57P01'))],
    ['a server starting up', withCode('the database system is starting up', '57P03')],
    ['too many connections', withCode('sorry, too many clients already', '53300')],
    ['a connection exception', failedQuery(withCode('connection failure', '08006'))],
    ['a refused connection', withCode('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED')],
    ['a reset connection', withCode('read ECONNRESET', 'ECONNRESET')],
    ['a connection lost mid-query', failedQuery(new Error('Connection terminated unexpectedly'))],
    ['a client that lost its connection', new Error('Client has encountered a connection error and is not queryable')],
    // Node's socket errors may come from another realm (a test sandbox), where instanceof Error fails.
    ['an error of another realm', { message: 'connect ECONNREFUSED 127.0.0.1:5432', code: 'ECONNREFUSED' }],
  ])('%s is unavailable', (_, error: unknown) => {
    expect(databaseFailure(error)).toBe('unavailable');
  });

  it.each([
    ['a unique violation', failedQuery(withCode('duplicate key value', '23505'))],
    ['a syntax error', failedQuery(withCode('syntax error at or near "x"', '42601'))],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['no error at all', 'Connection terminated'],
    ['nothing', undefined],
  ])('%s is none of them', (_, error) => {
    expect(databaseFailure(error)).toBeUndefined();
  });
});
