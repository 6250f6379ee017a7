import { ScimError } from '../errors';
import type { SqlAttribute } from '../filter/filter-to-sql';

/** Path literal of `#>` / `#>>`, as the filter translator writes it (path segments come from the schema). */
function pathLiteral(path: readonly string[]): string {
  return `'{${path.map((segment) => `"${segment.replace(/["\\]/g, '\\$&')}"`).join(',')}}'`;
}

/**
 * The SQL expression `sortBy` orders by (RFC 7644 §3.4.2.3). Strings that are
 * not caseExact sort case-insensitively; a multi-valued attribute sorts by its
 * primary (else first) element's `value`.
 */
export function sortExpression(attribute: SqlAttribute | undefined, sortBy: string): string {
  switch (attribute?.kind) {
    case 'column':
      return attribute.type === 'string' && !attribute.caseExact ? `lower(${attribute.sql})` : attribute.sql;
    case 'jsonb': {
      const text = `(${attribute.document} #>> ${pathLiteral(attribute.path)})`;
      return attribute.type === 'string' && !attribute.caseExact ? `lower(${text})` : text;
    }
    case 'jsonbArray': {
      const array = `(${attribute.document} #> ${pathLiteral(attribute.path)})`;
      return `(SELECT lower(e.elem ->> 'value') FROM jsonb_array_elements(CASE WHEN jsonb_typeof(${array}) = 'array' THEN ${array} ELSE '[]'::jsonb END) WITH ORDINALITY AS e(elem, position) ORDER BY (e.elem ->> 'primary') = 'true' DESC, e.position LIMIT 1)`;
    }
    case 'custom':
    case undefined:
      throw ScimError.badRequest('invalidValue', `cannot sort by '${sortBy}'`);
  }
}
