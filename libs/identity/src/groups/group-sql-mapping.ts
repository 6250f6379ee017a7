import { ScimError } from '../scim/errors';
import type { CompareNode, PresentNode } from '../scim/filter/filter.ast';
import { addSqlParam, type SqlCustomAttribute } from '../scim/filter/filter-to-sql';
import { resourceSqlMapping } from '../scim/storage/resource-sql-mapping';
import { uuidIdAttribute } from '../scim/storage/uuid-id-attribute';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `members eq "<userId>"`, `members.value eq …`, `members[value eq …]` and
 * `members pr`, answered from the membership table's primary key.
 */
const MEMBERS: SqlCustomAttribute = {
  kind: 'custom',
  compile(node: CompareNode | PresentNode, params: unknown[]): string {
    const sub = node.path.subAttribute?.toLowerCase() ?? 'value';
    if (sub !== 'value')
      throw ScimError.badRequest('invalidFilter', `members can be filtered by value only, not ${sub}`);
    if (node.kind === 'present') return 'EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = g.id)';
    if (node.op !== 'eq') throw ScimError.badRequest('invalidFilter', `members supports eq and pr, not ${node.op}`);
    if (typeof node.value !== 'string' || !UUID.test(node.value)) return 'false';
    return `EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = g.id AND m.user_id = ${addSqlParam(params, node.value)}::uuid)`;
  },
};

/** Where filters and sortBy find each Group attribute (alias `g`). */
export const GROUP_SQL_MAPPING = resourceSqlMapping('Group', 'g.resource', {
  scalars: {
    id: uuidIdAttribute('g.id'),
    displayName: { kind: 'column', sql: 'g.display_name', type: 'string', caseExact: false, indexed: true },
    externalId: { kind: 'column', sql: 'g.external_id', type: 'string', caseExact: true, indexed: true },
    // Members live in group_members, never in the document: every members path goes there.
    members: MEMBERS,
    'members.value': MEMBERS,
    'members.display': MEMBERS,
    'members.type': MEMBERS,
    'members.$ref': MEMBERS,
    'meta.created': { kind: 'column', sql: 'g.created_at', type: 'dateTime', caseExact: false },
    'meta.lastModified': { kind: 'column', sql: 'g.updated_at', type: 'dateTime', caseExact: false },
    'meta.resourceType': { kind: 'column', sql: `'Group'`, type: 'string', caseExact: true },
    'meta.version': { kind: 'column', sql: `('W/"' || g.version || '"')`, type: 'string', caseExact: true },
  },
});
