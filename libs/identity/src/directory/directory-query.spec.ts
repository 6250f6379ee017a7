import { IdentityError } from '../errors/identity-error';
import { encodeDirectoryCursor, listingBinding } from './directory-cursor';
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
  it('defaults to the first page of 100, of every tenant the client reads', () => {
    expect(parsePageQuery({}, 'users')).toEqual({
      tenant: undefined,
      cursor: undefined,
      limit: 100,
      binding: listingBinding(undefined),
    });
  });

  it('reads a cursor of the same listing, tenant and filters', () => {
    const binding = listingBinding('acme');
    const cursor = encodeDirectoryCursor({ listing: 'users', binding, afterId: id, feedHead: '3' });
    expect(parsePageQuery({ cursor, limit: '500', tenant: 'acme' }, 'users')).toEqual({
      tenant: 'acme',
      cursor: { listing: 'users', binding, afterId: id, feedHead: '3' },
      limit: 500,
      binding,
    });
    expect(refusal(() => parsePageQuery({ cursor, tenant: 'acme' }, 'groups')).message).toBe(
      'cursor is not a cursor of this listing',
    );
  });

  describe('a cursor asked for with another tenant or other filters', () => {
    const filters = parseUserFilters({ active: 'true', email: 'Ann@Acme.com' });
    const cursor = encodeDirectoryCursor({
      listing: 'users',
      binding: listingBinding('acme', filters),
      afterId: id,
      feedHead: '3',
    });

    it('is good with the same tenant and the same filters, however spelt', () => {
      const again = parseUserFilters({ email: 'ann@ACME.com', active: 'true' });
      expect(parsePageQuery({ cursor, tenant: 'acme' }, 'users', again).cursor?.afterId).toBe(id);
    });

    it.each([
      [{ tenant: 'globex' }, filters, 'cursor belongs to a listing of tenant "acme", not of tenant "globex"'],
      [{}, filters, 'cursor belongs to a listing of tenant "acme", not of every tenant (no tenant=)'],
      [{ tenant: 'acme' }, parseUserFilters({ active: 'false', email: 'ann@acme.com' }), 'with other filters'],
      [{ tenant: 'acme' }, parseUserFilters({ active: 'true' }), 'with other filters'],
      [{ tenant: 'acme' }, undefined, 'with other filters'],
    ])('is refused: %p', (query, otherFilters, message) => {
      const error = refusal(() => parsePageQuery({ ...query, cursor }, 'users', otherFilters));
      expect(error.code).toBe('invalid_request');
      expect(error.message).toContain(message);
      expect(error.message).toContain('start again without a cursor');
    });
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
