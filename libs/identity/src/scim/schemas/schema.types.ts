/**
 * Attribute characteristics of RFC 7643 §2 and §7, as the pure SCIM modules
 * (filter translation, PATCH engine, projection) need them.
 */

export type AttributeType =
  'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'binary' | 'reference' | 'complex';

/** RFC 7643 §7 "mutability". */
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';

/** RFC 7643 §7 "returned". */
export type Returned = 'always' | 'never' | 'default' | 'request';

/** RFC 7643 §7 "uniqueness". */
export type Uniqueness = 'none' | 'server' | 'global';

/** One attribute definition, as published at `/Schemas`. */
export interface AttributeDefinition {
  readonly name: string;
  readonly type: AttributeType;
  readonly multiValued: boolean;
  readonly description: string;
  readonly required: boolean;
  readonly caseExact: boolean;
  readonly mutability: Mutability;
  readonly returned: Returned;
  readonly uniqueness: Uniqueness;
  readonly canonicalValues?: readonly string[];
  readonly referenceTypes?: readonly string[];
  readonly subAttributes?: readonly AttributeDefinition[];
}

/** A schema resource (RFC 7643 §7). */
export interface SchemaDefinition {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly attributes: readonly AttributeDefinition[];
}
