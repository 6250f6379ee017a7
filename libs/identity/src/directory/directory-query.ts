import { IdentityError } from '../errors/identity-error';
import { integerIn, optionalText } from '../events-feed/feed-query';
import { DirectoryCursor, ListingBinding, decodeDirectoryCursor, listingBinding } from './directory-cursor';

export const DIRECTORY_DEFAULT_LIMIT = 100;
export const DIRECTORY_MAX_LIMIT = 500;

/** A page request of a directory listing. */
export interface DirectoryPageQuery {
  readonly tenant: string | undefined;
  readonly cursor: DirectoryCursor | undefined;
  readonly limit: number;
  /** The tenant and filters this page was asked for, carried by the next page's cursor. */
  readonly binding: ListingBinding;
}

/** The filters of the users listing. */
export interface UserFilters {
  readonly active: boolean | undefined;
  readonly updatedSince: Date | undefined;
  /** Lower-cased: emails match case-insensitively, as SCIM stores them. */
  readonly email: string | undefined;
}

/**
 * Reads `tenant`, `cursor` (of `listing`) and `limit`; a bad value is an
 * `invalid_request` naming it. A cursor is only good with the tenant and `filters`
 * (parsed) its listing started with: pages of two listings would not make one.
 */
export function parsePageQuery(query: Record<string, unknown>, listing: string, filters?: object): DirectoryPageQuery {
  const text = optionalText(query, 'cursor');
  const cursor = text === undefined ? undefined : decodeDirectoryCursor(text, listing);
  if (text !== undefined && cursor === undefined) throw IdentityError.invalid('cursor is not a cursor of this listing');
  const tenant = optionalText(query, 'tenant');
  const binding = listingBinding(tenant, filters);
  if (cursor && cursor.binding.tenant !== binding.tenant) {
    throw IdentityError.invalid(
      `cursor belongs to a listing of ${tenantName(cursor.binding.tenant)}, not of ${tenantName(binding.tenant)}: ` +
        'send the same tenant as its first page, or start again without a cursor',
    );
  }
  if (cursor && cursor.binding.filters !== binding.filters) {
    throw IdentityError.invalid(
      'cursor belongs to a listing with other filters: send the same filters as its first page, or start again without a cursor',
    );
  }
  return { tenant, cursor, limit: integerIn(query, 'limit', 1, DIRECTORY_MAX_LIMIT, DIRECTORY_DEFAULT_LIMIT), binding };
}

function tenantName(tenant: string): string {
  return tenant === '*' ? 'every tenant (no tenant=)' : `tenant "${tenant}"`;
}

/** Reads `active`, `updatedSince` (ISO 8601) and `email`. */
export function parseUserFilters(query: Record<string, unknown>): UserFilters {
  const active = optionalText(query, 'active');
  if (active !== undefined && active !== 'true' && active !== 'false') {
    throw IdentityError.invalid('active must be true or false');
  }
  const since = optionalText(query, 'updatedSince');
  const updatedSince = since === undefined ? undefined : new Date(since);
  if (
    since !== undefined &&
    (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(since) ||
      Number.isNaN(updatedSince!.getTime()))
  ) {
    throw IdentityError.invalid('updatedSince must be an ISO 8601 date or date-time with a time zone');
  }
  const email = optionalText(query, 'email');
  if (email !== undefined && (email.length === 0 || email.length > 320)) {
    throw IdentityError.invalid('email must be 1 to 320 characters');
  }
  return { active: active === undefined ? undefined : active === 'true', updatedSince, email: email?.toLowerCase() };
}
