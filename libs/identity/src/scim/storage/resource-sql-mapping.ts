import type { AttributePath } from '../filter/filter.ast';
import type { SqlArrayColumn, SqlAttribute, SqlAttributeMapping, SqlScalarType } from '../filter/filter-to-sql';
import {
  formatAttributePath,
  resolveAttribute,
  type ResourceTypeRef,
  type ResolvedAttribute,
} from '../schemas/schema-registry';
import type { AttributeDefinition } from '../schemas/schema.types';

/** Where a repository keeps copies of attributes, in indexed columns. */
export interface StorageColumns {
  /** Scalar attributes by canonical path (`userName`, `meta.lastModified`). */
  readonly scalars: Readonly<Record<string, SqlAttribute>>;
  /** Indexed text[] copies of a multi-valued attribute's sub-attribute, by attribute name (`emails`). */
  readonly arrays?: Readonly<Record<string, SqlArrayColumn>>;
}

/**
 * Maps SCIM attribute paths to where a repository stores them: the columns it
 * indexes, and for everything else the JSONB document holding the resource,
 * typed by the schema.
 */
export function resourceSqlMapping(
  ref: ResourceTypeRef,
  document: string,
  columns: StorageColumns,
): SqlAttributeMapping {
  const lowerKeys = <T>(record: Readonly<Record<string, T>>): Map<string, T> =>
    new Map(Object.entries(record).map(([path, value]) => [path.toLowerCase(), value]));
  const scalars = lowerKeys(columns.scalars);
  const arrays = lowerKeys(columns.arrays ?? {});
  return {
    resolve(path: AttributePath): SqlAttribute | undefined {
      const resolved = resolveAttribute(ref, path);
      if (!resolved) return undefined;
      const column = scalars.get(formatAttributePath(resolved).toLowerCase());
      if (column) return column;
      // meta lives in columns, never in the document: an unmapped meta sub-attribute is not filterable.
      if (!resolved.container && resolved.attribute.name === 'meta') return undefined;
      const attribute = documentAttribute(document, resolved);
      const arrayColumn = resolved.container ? undefined : arrays.get(resolved.attribute.name.toLowerCase());
      return attribute?.kind === 'jsonbArray' && arrayColumn ? { ...attribute, arrayColumn } : attribute;
    },
  };
}

function documentAttribute(document: string, resolved: ResolvedAttribute): SqlAttribute | undefined {
  const { attribute, subAttribute, container } = resolved;
  const prefix = container ? [container] : [];
  if (attribute.multiValued) {
    return {
      kind: 'jsonbArray',
      document,
      path: [...prefix, attribute.name],
      subAttributes: (name) => elementAttribute(attribute, name),
    };
  }
  const leaf = subAttribute ?? attribute;
  // A complex attribute without a sub-attribute cannot be compared as a whole.
  if (leaf.type === 'complex') return undefined;
  return {
    kind: 'jsonb',
    document,
    path: subAttribute ? [...prefix, attribute.name, subAttribute.name] : [...prefix, attribute.name],
    type: leaf.type,
    caseExact: leaf.caseExact,
  };
}

function elementAttribute(
  attribute: AttributeDefinition,
  name: string,
): { name: string; type: SqlScalarType; caseExact: boolean } | undefined {
  // A simple multi-valued attribute's elements are addressed as `value` (RFC 7644 §3.4.2.2).
  if (attribute.type !== 'complex') {
    return name.toLowerCase() === 'value'
      ? { name: 'value', type: attribute.type, caseExact: attribute.caseExact }
      : undefined;
  }
  const sub = attribute.subAttributes?.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
  if (!sub || sub.type === 'complex') return undefined;
  return { name: sub.name, type: sub.type, caseExact: sub.caseExact };
}
