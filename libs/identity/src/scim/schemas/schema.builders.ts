/**
 * Small constructors for RFC 7643 §7 attribute definitions, so the schema
 * files read like the RFC's §8.7.1 representation without repeating the
 * defaults on every attribute.
 */
import type { AttributeDefinition, AttributeType } from './schema.types';

type AttributeOverrides = Partial<Omit<AttributeDefinition, 'name' | 'type' | 'description'>>;

/**
 * One attribute with the RFC 7643 §2.2 defaults: single-valued, optional,
 * case-insensitive, readWrite, returned by default, no uniqueness.
 */
export function attribute(
  name: string,
  type: AttributeType,
  description: string,
  overrides: AttributeOverrides = {},
): AttributeDefinition {
  return {
    name,
    type,
    multiValued: false,
    description,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...overrides,
  };
}

/** A complex attribute; its sub-attributes inherit nothing from it (RFC 7643 §2.3.8). */
export function complexAttribute(
  name: string,
  description: string,
  subAttributes: readonly AttributeDefinition[],
  overrides: AttributeOverrides = {},
): AttributeDefinition {
  return attribute(name, 'complex', description, { ...overrides, subAttributes });
}

interface MultiValuedShape {
  readonly valueType?: AttributeType;
  readonly valueDescription: string;
  readonly typeCanonicalValues: readonly string[];
  readonly referenceTypes?: readonly string[];
}

/**
 * The `value`, `display`, `type`, `primary` sub-attributes shared by the
 * multi-valued User attributes (RFC 7643 §2.4, §4.1.2).
 */
export function multiValuedSubAttributes(shape: MultiValuedShape): AttributeDefinition[] {
  const valueOverrides = shape.referenceTypes ? { referenceTypes: shape.referenceTypes } : {};
  return [
    attribute('value', shape.valueType ?? 'string', shape.valueDescription, valueOverrides),
    attribute('display', 'string', 'A human-readable name, primarily used for display purposes.'),
    attribute('type', 'string', "A label indicating the attribute's function.", {
      canonicalValues: shape.typeCanonicalValues,
    }),
    attribute(
      'primary',
      'boolean',
      "A Boolean value indicating the 'primary' or preferred attribute value for this attribute. The primary attribute value 'true' MUST appear no more than once.",
    ),
  ];
}
