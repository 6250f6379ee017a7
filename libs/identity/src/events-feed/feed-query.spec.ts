import { IdentityError } from '../errors/identity-error';
import { encodeFeedCursor } from './feed-cursor';
import { parseFeedQuery } from './feed-query';

describe('events feed queries', () => {
  it('defaults to the oldest retained event, every type and tenant, 100 events, no wait', () => {
    expect(parseFeedQuery({})).toEqual({
      after: undefined,
      types: undefined,
      tenant: undefined,
      limit: 100,
      waitSeconds: 0,
    });
  });

  it('reads every parameter', () => {
    expect(
      parseFeedQuery({
        after: encodeFeedCursor('17'),
        types: 'user.deleted',
        tenant: 'acme',
        limit: '1000',
        wait: '30',
      }),
    ).toEqual({ after: '17', types: ['user.deleted'], tenant: 'acme', limit: 1000, waitSeconds: 30 });
  });

  it.each([
    [{ after: 'garbage!' }, 'after is not a cursor of this feed'],
    [{ after: 'Zm9vOjE' }, 'after is not a cursor of this feed'],
    [{ limit: '0' }, 'limit must be an integer from 1 to 1000'],
    [{ limit: '1001' }, 'limit must be an integer from 1 to 1000'],
    [{ limit: '-1' }, 'limit must be an integer from 1 to 1000'],
    [{ limit: '1e3' }, 'limit must be an integer from 1 to 1000'],
    [{ wait: '31' }, 'wait must be an integer from 0 to 30'],
    [{ wait: '' }, 'wait must be an integer from 0 to 30'],
    [{ limit: ['1', '2'] }, 'limit must be given once'],
    [{ types: 'user.nope' }, 'types must be event types or families'],
  ])('refuses %p', (query, message) => {
    let thrown: unknown;
    try {
      parseFeedQuery(query);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(IdentityError);
    expect((thrown as IdentityError).code).toBe('invalid_request');
    expect((thrown as IdentityError).message).toContain(message);
  });
});
