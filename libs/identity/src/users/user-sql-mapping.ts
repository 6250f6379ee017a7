import type { SqlAttribute } from '../scim/filter/filter-to-sql';
import { resourceSqlMapping } from '../scim/storage/resource-sql-mapping';
import { uuidIdAttribute } from '../scim/storage/uuid-id-attribute';
import { userEntityTagSql } from './user-resource';

/** Indexed columns of `users` (alias `u`); every other attribute is read from the JSONB document. */
const USER_COLUMNS: Record<string, SqlAttribute> = {
  id: uuidIdAttribute('u.id'),
  // users_tenant_user_name_key: unique per tenant on lower(user_name), which is what eq compares.
  userName: { kind: 'column', sql: 'u.user_name', type: 'string', caseExact: false, indexed: true, unique: true },
  externalId: { kind: 'column', sql: 'u.external_id', type: 'string', caseExact: true, indexed: true },
  active: { kind: 'column', sql: 'u.active', type: 'boolean', caseExact: false },
  'meta.created': { kind: 'column', sql: 'u.created_at', type: 'dateTime', caseExact: false },
  'meta.lastModified': { kind: 'column', sql: 'u.updated_at', type: 'dateTime', caseExact: false },
  'meta.resourceType': { kind: 'column', sql: `'User'`, type: 'string', caseExact: true },
  'meta.version': { kind: 'column', sql: userEntityTagSql('u'), type: 'string', caseExact: true },
};

/** Where filters and sortBy find each User attribute. */
export const USER_SQL_MAPPING = resourceSqlMapping('User', 'u.resource', {
  scalars: USER_COLUMNS,
  arrays: { emails: { sql: 'u.email_values', subAttribute: 'value', lowercased: true } },
});
