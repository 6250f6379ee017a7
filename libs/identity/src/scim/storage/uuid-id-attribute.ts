import { ScimError } from '../errors';
import type { CompareNode, PresentNode } from '../filter/filter.ast';
import { addSqlParam, type SqlCustomAttribute } from '../filter/filter-to-sql';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `id` as a filter sees it: a uuid primary key, so `id eq "…"` uses the index
 * (`u.id = $1::uuid`), and a value that is no uuid matches nothing rather than
 * failing the cast. Ids are opaque: only eq, ne and pr make sense on them.
 */
export function uuidIdAttribute(column: string): SqlCustomAttribute {
  return {
    kind: 'custom',
    indexed: true,
    unique: true,
    compile(node: CompareNode | PresentNode, params: unknown[]): string {
      if (node.kind === 'present') return 'true';
      const id = typeof node.value === 'string' && UUID.test(node.value) ? node.value : undefined;
      switch (node.op) {
        case 'eq':
          return id ? `${column} = ${addSqlParam(params, id)}::uuid` : 'false';
        case 'ne':
          return id ? `${column} <> ${addSqlParam(params, id)}::uuid` : 'true';
        default:
          throw ScimError.badRequest('invalidFilter', `id supports only eq, ne and pr, not ${node.op}`);
      }
    },
  };
}
