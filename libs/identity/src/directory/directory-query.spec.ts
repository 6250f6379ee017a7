import { IdentityError } from '../errors/identity-error';
import { encodeDirectoryCursor } from './directory-cursor';
import { parsePageQuery, parseUserFilters } from './directory-query';

const id = '6f1b1f9e-5a8e-4c55-9b55-0c8a7c2f2a10';

const refusal = (run: () => unknown): IdentityError => {
  try {
    run();
  } catch (error) {
    return error as IdentityError;
  }
  throw new Error('not refused');
};

describe('directory queries', () => {
  it('defaults to the first page of 100', () => {
    expect(parsePageQuery({}, 'users')).toEqual({ tenant: undefined, cursor: undefined, limit: 100 });
  });

  it('reads a cursor of the same listing', () => {
    const cursor = encodeDirectoryCursor({ listing: 'users', afterId: id, feedHead: '3' });
    expect(parsePageQuery({ cursor, limit: '500', tenant: 'acme' }, 'users')).toEqual({
      tenant: 'acme',
      cursor: { listing: 'users', afterId: id, feedHead: '3' },
      limit: 500,
    });
    expect(refusal(() => parsePageQuery({ cursor }, 'groups')).message).toBe('cursor is not a cursor of this listing');
  });

  it.each([[{ limit: '0' }], [{ limit: '501' }], [{ limit: 'ten' }], [{ cursor: 'garbage' }]])(
    'refuses %p',
    (query) => {
      expect(refusal(() => parsePageQuery(query, 'users')).code).toBe('invalid_request');
    },
  );

  it('reads the user filters', () => {
    expect(
      parseUserFilters({ active: 'false', updatedSince: '2026-01-02T03:04:05.678Z', email: 'Ann@Acme.COM' }),
    ).toEqual({
      active: false,
      updatedSince: new Date('2026-01-02T03:04:05.678Z'),
      email: 'ann@acme.com',
    });
    expect(parseUserFilters({ updatedSince: '2026-01-02' }).updatedSince).toEqual(new Date('2026-01-02T00:00:00Z'));
  });

  it.each([
    [{ active: 'yes' }, 'active must be true or false'],
    [{ updatedSince: 'yesterday' }, 'updatedSince must be an ISO 8601'],
    [{ updatedSince: '2026-01-02T03:04:05' }, 'updatedSince must be an ISO 8601'],
    [{ updatedSince: '2026-13-40T00:00:00Z' }, 'updatedSince must be an ISO 8601'],
    [{ email: '' }, 'email must be 1 to 320 characters'],
  ])('refuses %p', (query, message) => {
    expect(refusal(() => parseUserFilters(query)).message).toContain(message);
  });
});
