/**
 * Resource types and attribute lookup. Every attribute name the gateway reads
 * from a client (bodies, PATCH paths, filters, `attributes=`) is resolved here,
 * case-insensitively (RFC 7643 §2.1), to the schema's own spelling.
 */
import type { AttributePath } from '../filter/filter.ast';
import type { AttributeResolver } from '../filter/filter.evaluator';
import { ENTERPRISE_USER_SCHEMA } from './enterprise-user.schema';
import { GROUP_SCHEMA } from './group.schema';
import { attribute, complexAttribute } from './schema.builders';
import type { AttributeDefinition, SchemaDefinition } from './schema.types';
import { USER_SCHEMA } from './user.schema';

/**
 * RFC 7643 §3.1: attributes every resource has, defined by no schema (so not
 * published at `/Schemas`); their characteristics take precedence there.
 */
export const COMMON_ATTRIBUTES: readonly AttributeDefinition[] = [
  attribute('id', 'string', 'A unique identifier for a SCIM resource as defined by the service provider.', {
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
  }),
  attribute(
    'externalId',
    'string',
    'A String that is an identifier for the resource as defined by the provisioning client.',
    {
      caseExact: true,
    },
  ),
  complexAttribute(
    'meta',
    'A complex attribute containing resource metadata.',
    [
      attribute('resourceType', 'string', 'The name of the resource type of the resource.', {
        caseExact: true,
        mutability: 'readOnly',
      }),
      attribute('created', 'dateTime', 'The DateTime that the resource was added to the service provider.', {
        mutability: 'readOnly',
      }),
      attribute(
        'lastModified',
        'dateTime',
        'The most recent DateTime that the details of this resource were updated at the service provider.',
        { mutability: 'readOnly' },
      ),
      attribute('location', 'reference', 'The URI of the resource being returned.', {
        caseExact: true,
        mutability: 'readOnly',
        referenceTypes: ['uri'],
      }),
      attribute('version', 'string', 'The version of the resource being returned.', {
        caseExact: true,
        mutability: 'readOnly',
      }),
    ],
    { mutability: 'readOnly' },
  ),
];

/** RFC 7643 §6: a schema extension of a resource type. */
export interface SchemaExtension {
  readonly schema: SchemaDefinition;
  readonly required: boolean;
}

/** RFC 7643 §6: a resource type, with its schemas themselves rather than their URNs. */
export interface ScimResourceType {
  readonly name: 'User' | 'Group';
  readonly endpoint: string;
  readonly description: string;
  readonly schema: SchemaDefinition;
  readonly schemaExtensions: readonly SchemaExtension[];
}

/** RFC 7643 §8.6: User = core User + optional Enterprise User extension. */
export const USER_RESOURCE_TYPE: ScimResourceType = {
  name: 'User',
  endpoint: '/Users',
  description: 'User Account',
  schema: USER_SCHEMA,
  schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA, required: false }],
};

/** RFC 7643 §8.6: Group = core Group. */
export const GROUP_RESOURCE_TYPE: ScimResourceType = {
  name: 'Group',
  endpoint: '/Groups',
  description: 'Group',
  schema: GROUP_SCHEMA,
  schemaExtensions: [],
};

/** A resource type, or its name. */
export type ResourceTypeRef = ScimResourceType | ScimResourceType['name'];

/** The resource type a reference names. */
export function toResourceType(ref: ResourceTypeRef): ScimResourceType {
  if (typeof ref !== 'string') return ref;
  return ref === 'User' ? USER_RESOURCE_TYPE : GROUP_RESOURCE_TYPE;
}

/** An attribute path resolved against a resource type's schemas. */
export interface ResolvedAttribute {
  /** URN of the defining schema; undefined for the common attributes (RFC 7643 §3.1). */
  readonly schema: string | undefined;
  /** Key of the object holding the attribute in a resource: undefined for the resource itself, the URN for an extension. */
  readonly container: string | undefined;
  readonly attribute: AttributeDefinition;
  readonly subAttribute?: AttributeDefinition;
}

function equalsIgnoreCase(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function findByName(attributes: readonly AttributeDefinition[], name: string): AttributeDefinition | undefined {
  return attributes.find((candidate) => equalsIgnoreCase(candidate.name, name));
}

/** A sub-attribute of a complex attribute, by case-insensitive name. */
export function findSubAttribute(parent: AttributeDefinition, name: string): AttributeDefinition | undefined {
  return findByName(parent.subAttributes ?? [], name);
}

/** The extension schema of a resource type with this URN (case-insensitive), if any. */
export function findExtensionSchema(ref: ResourceTypeRef, urn: string): SchemaDefinition | undefined {
  return toResourceType(ref).schemaExtensions.find((ext) => equalsIgnoreCase(ext.schema.id, urn))?.schema;
}

/** Every schema URN the resource type may carry in `schemas`, core first. */
export function schemaUrns(ref: ResourceTypeRef): string[] {
  const type = toResourceType(ref);
  return [type.schema.id, ...type.schemaExtensions.map((ext) => ext.schema.id)];
}

/** Top-level attributes of a resource itself: the common ones, then the core schema's. */
export function topLevelAttributes(ref: ResourceTypeRef): readonly AttributeDefinition[] {
  return [...COMMON_ATTRIBUTES, ...toResourceType(ref).schema.attributes];
}

function withSubAttribute(resolved: ResolvedAttribute, subName: string | undefined): ResolvedAttribute | undefined {
  if (subName === undefined) return resolved;
  const subAttribute = findSubAttribute(resolved.attribute, subName);
  return subAttribute ? { ...resolved, subAttribute } : undefined;
}

function resolveTopLevel(ref: ResourceTypeRef, path: AttributePath): ResolvedAttribute | undefined {
  const type = toResourceType(ref);
  const common = findByName(COMMON_ATTRIBUTES, path.attribute);
  if (common) return { schema: undefined, container: undefined, attribute: common };
  const core = findByName(type.schema.attributes, path.attribute);
  return core ? { schema: type.schema.id, container: undefined, attribute: core } : undefined;
}

function resolveInSchema(ref: ResourceTypeRef, path: AttributePath, urn: string): ResolvedAttribute | undefined {
  const type = toResourceType(ref);
  // Common attributes qualified with the core URN are accepted too (RFC 7643 §3.1 lets schemas list them).
  if (equalsIgnoreCase(urn, type.schema.id)) return resolveTopLevel(type, path);
  const extension = findExtensionSchema(type, urn);
  const definition = extension && findByName(extension.attributes, path.attribute);
  return definition && extension ? { schema: extension.id, container: extension.id, attribute: definition } : undefined;
}

/**
 * Resolves `[urn:…:]attribute[.subAttribute]` case-insensitively. Unqualified
 * names resolve against the common and core attributes only: extension
 * attributes must carry their URN (RFC 7644 §3.10).
 */
export function resolveAttribute(ref: ResourceTypeRef, path: AttributePath): ResolvedAttribute | undefined {
  const resolved = path.schema ? resolveInSchema(ref, path, path.schema) : resolveTopLevel(ref, path);
  return resolved && withSubAttribute(resolved, path.subAttribute);
}

/**
 * Parses standard attribute notation (RFC 7644 §3.10) without filters:
 * `name.givenName`, `urn:…:enterprise:2.0:User:manager.value`. A bare schema
 * URN comes back with the URN's last segment as `attribute`; callers that
 * accept whole extensions check `findExtensionSchema` first.
 */
export function parseAttributeName(text: string): AttributePath {
  const trimmed = text.trim();
  let schema: string | undefined;
  let rest = trimmed;
  if (/^urn:/i.test(trimmed)) {
    const lastColon = trimmed.lastIndexOf(':');
    schema = trimmed.slice(0, lastColon);
    rest = trimmed.slice(lastColon + 1);
  }
  const dot = rest.indexOf('.');
  const attributeName = dot < 0 ? rest : rest.slice(0, dot);
  const subAttribute = dot < 0 ? undefined : rest.slice(dot + 1);
  return {
    ...(schema !== undefined ? { schema } : {}),
    attribute: attributeName,
    ...(subAttribute !== undefined ? { subAttribute } : {}),
  };
}

/** The canonical spelling of a resolved attribute, e.g. `name.givenName` or `urn:…:User:manager.value`. */
export function formatAttributePath(resolved: ResolvedAttribute): string {
  const prefix = resolved.container ? `${resolved.container}:` : '';
  const sub = resolved.subAttribute ? `.${resolved.subAttribute.name}` : '';
  return `${prefix}${resolved.attribute.name}${sub}`;
}

/** An attribute resolver for the filter evaluator, bound to one resource type. */
export function createAttributeResolver(ref: ResourceTypeRef): AttributeResolver {
  const type = toResourceType(ref);
  return (path) => {
    const resolved = resolveAttribute(type, path);
    return resolved?.subAttribute ?? resolved?.attribute;
  };
}
