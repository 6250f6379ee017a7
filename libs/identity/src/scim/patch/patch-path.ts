/**
 * Resolves the target of a PATCH operation (RFC 7644 §3.5.2 PATH) against a
 * resource type's schemas.
 */
import { ScimError } from '../errors';
import type { FilterNode } from '../filter/filter.ast';
import { parsePatchPath } from '../filter/filter.parser';
import {
  findExtensionSchema,
  resolveAttribute,
  type ResolvedAttribute,
  type ScimResourceType,
} from '../schemas/schema-registry';
import type { SchemaDefinition } from '../schemas/schema.types';

/** The whole extension object, e.g. path `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`. */
export interface ExtensionTarget {
  readonly kind: 'extension';
  readonly schema: SchemaDefinition;
}

/** An attribute, a sub-attribute, or elements of a multi-valued attribute selected by a value filter. */
export interface AttributeTarget {
  readonly kind: 'attribute';
  readonly resolved: ResolvedAttribute;
  readonly filter?: FilterNode;
}

export type PatchTarget = ExtensionTarget | AttributeTarget;

function invalidPath(detail: string): ScimError {
  return ScimError.badRequest('invalidPath', detail);
}

function isMultiValuedComplex(resolved: ResolvedAttribute): boolean {
  return resolved.attribute.multiValued && resolved.attribute.type === 'complex';
}

/**
 * Resolves a PATCH path, throwing ScimError `invalidPath` for a malformed
 * path, an attribute the resource type does not define, or a value filter on
 * an attribute that is not multi-valued and complex (RFC 7644 §3.5.2).
 */
export function resolvePatchPath(type: ScimResourceType, text: string): PatchTarget {
  const extension = findExtensionSchema(type, text);
  if (extension) return { kind: 'extension', schema: extension };
  const parsed = parsePatchPath(text);
  if (parsed.subAttribute !== undefined && parsed.path.subAttribute !== undefined) {
    throw invalidPath(`"${text}" is not a valid attribute path`);
  }
  const subAttribute = parsed.subAttribute ?? parsed.path.subAttribute;
  const resolved = resolveAttribute(type, { ...parsed.path, ...(subAttribute !== undefined ? { subAttribute } : {}) });
  if (!resolved) throw invalidPath(`"${text}" is not an attribute of ${type.name}`);
  if (parsed.filter && !isMultiValuedComplex(resolved)) {
    throw invalidPath(`"${text}": a value filter needs a multi-valued complex attribute`);
  }
  return { kind: 'attribute', resolved, ...(parsed.filter ? { filter: parsed.filter } : {}) };
}

/**
 * Resolves a key of a path-less add/replace value: `displayName`,
 * `name.givenName` or `urn:…:enterprise:2.0:User:department` (Entra's dotted
 * keys). Unknown keys give undefined: they are ignored, as in a POST body.
 */
export function resolveValueKey(type: ScimResourceType, key: string): PatchTarget | undefined {
  try {
    return resolvePatchPath(type, key);
  } catch (error) {
    if (error instanceof ScimError && error.scimType === 'invalidPath') return undefined;
    throw error;
  }
}
