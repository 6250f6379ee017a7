/**
 * The abstract syntax tree of a SCIM filter (RFC 7644 §3.4.2.2).
 *
 * Attribute paths are kept as written apart from case, so that schema lookups
 * (which are case-insensitive, RFC 7643 §2.1) happen in one place: the schema
 * registry.
 */

/** Comparison operators; `pr` (present) is the only unary one. */
export type CompareOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

/** A literal on the right-hand side of a comparison (RFC 7644 §3.4.2.2 compValue). */
export type CompareValue = string | number | boolean | null;

/**
 * An attribute path: `[urn:...:]name[.subAttribute]`.
 * `schema` is the URN prefix when one was written (e.g. the Enterprise User extension).
 */
export interface AttributePath {
  readonly schema?: string;
  readonly attribute: string;
  readonly subAttribute?: string;
}

export type FilterNode = CompareNode | PresentNode | LogicalNode | NotNode | ValuePathNode;

/** `attrPath op value` */
export interface CompareNode {
  readonly kind: 'compare';
  readonly path: AttributePath;
  readonly op: CompareOperator;
  readonly value: CompareValue;
}

/** `attrPath pr` */
export interface PresentNode {
  readonly kind: 'present';
  readonly path: AttributePath;
}

/** `filter and filter`, `filter or filter` */
export interface LogicalNode {
  readonly kind: 'logical';
  readonly op: 'and' | 'or';
  readonly left: FilterNode;
  readonly right: FilterNode;
}

/** `not (filter)` */
export interface NotNode {
  readonly kind: 'not';
  readonly filter: FilterNode;
}

/**
 * `emails[type eq "work" and value co "@x"]`: the inner filter applies to the
 * elements of the multi-valued attribute named by `path` (its paths are relative
 * to the element, so they carry no `schema`).
 */
export interface ValuePathNode {
  readonly kind: 'valuePath';
  readonly path: AttributePath;
  readonly filter: FilterNode;
}
