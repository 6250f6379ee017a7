/**
 * The discovery documents of RFC 7643 §5–§7, built from the schema
 * definitions in `@app/identity` so that `/Schemas` describes exactly what
 * the gateway validates. Pure: no Nest, no I/O.
 */
import { MAX_RESULTS } from '@app/identity/scim/list/list-query';
import type { AttributeDefinition, ScimResourceType, SchemaDefinition } from '@app/identity/scim/schemas';

/** RFC 7643 §5. */
export const SCIM_SERVICE_PROVIDER_CONFIG_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
/** RFC 7643 §6. */
export const SCIM_RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
/** RFC 7643 §7. */
export const SCIM_SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

/** What the gateway supports, as announced at `/ServiceProviderConfig`. */
export interface ServiceProviderCapabilities {
  /** The request body limit; published as `bulk.maxPayloadSize` (RFC 7643 §5). */
  readonly maxPayloadSize: number;
}

/** `meta` of a discovery resource: fixed documents carry no dates or versions. */
export interface DiscoveryMeta {
  readonly resourceType: string;
  readonly location: string;
}

/** RFC 7643 §5. */
export interface ServiceProviderConfigDocument {
  readonly schemas: [typeof SCIM_SERVICE_PROVIDER_CONFIG_SCHEMA];
  readonly patch: { readonly supported: boolean };
  readonly bulk: { readonly supported: boolean; readonly maxOperations: number; readonly maxPayloadSize: number };
  readonly filter: { readonly supported: boolean; readonly maxResults: number };
  readonly changePassword: { readonly supported: boolean };
  readonly sort: { readonly supported: boolean };
  readonly etag: { readonly supported: boolean };
  readonly authenticationSchemes: readonly AuthenticationScheme[];
  readonly meta: DiscoveryMeta;
}

interface AuthenticationScheme {
  readonly type: string;
  readonly name: string;
  readonly description: string;
  readonly specUri: string;
  readonly primary: boolean;
}

/** RFC 7643 §6. */
export interface ResourceTypeDocument {
  readonly schemas: [typeof SCIM_RESOURCE_TYPE_SCHEMA];
  readonly id: string;
  readonly name: string;
  readonly endpoint: string;
  readonly description: string;
  readonly schema: string;
  readonly schemaExtensions?: readonly { readonly schema: string; readonly required: boolean }[];
  readonly meta: DiscoveryMeta;
}

/** RFC 7643 §7: one attribute as published. */
export interface AttributeDocument {
  readonly name: string;
  readonly type: string;
  readonly multiValued: boolean;
  readonly description: string;
  readonly required: boolean;
  readonly canonicalValues?: readonly string[];
  readonly caseExact: boolean;
  readonly mutability: string;
  readonly returned: string;
  readonly uniqueness: string;
  readonly referenceTypes?: readonly string[];
  readonly subAttributes?: readonly AttributeDocument[];
}

/** RFC 7643 §7. */
export interface SchemaDocument {
  readonly schemas: [typeof SCIM_SCHEMA_SCHEMA];
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly attributes: readonly AttributeDocument[];
  readonly meta: DiscoveryMeta;
}

/**
 * RFC 7643 §5. Every flag states what the gateway does: PATCH, filters,
 * sorting, ETags and password changes are served; bulk is not (so
 * `maxOperations` is 0). No `documentationUri`: there is no page to point at.
 */
export function serviceProviderConfigDocument(
  baseUrl: string,
  capabilities: ServiceProviderCapabilities,
): ServiceProviderConfigDocument {
  return {
    schemas: [SCIM_SERVICE_PROVIDER_CONFIG_SCHEMA],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: capabilities.maxPayloadSize },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: true },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description:
          'A bearer token issued by the gateway operator for one tenant, sent as Authorization: Bearer <token>.',
        specUri: 'https://www.rfc-editor.org/info/rfc6750',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}

/** RFC 7643 §6 (example in §8.6). `schemaExtensions` is left out when there are none, as the RFC's Group. */
export function resourceTypeDocument(baseUrl: string, type: ScimResourceType): ResourceTypeDocument {
  return {
    schemas: [SCIM_RESOURCE_TYPE_SCHEMA],
    id: type.name,
    name: type.name,
    endpoint: type.endpoint,
    description: type.description,
    schema: type.schema.id,
    ...(type.schemaExtensions.length > 0
      ? { schemaExtensions: type.schemaExtensions.map((ext) => ({ schema: ext.schema.id, required: ext.required })) }
      : {}),
    meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/${type.name}` },
  };
}

/** RFC 7643 §7 (representation in §8.7.1); the URN goes into `location` as is, like the RFC's examples. */
export function schemaDocument(baseUrl: string, schema: SchemaDefinition): SchemaDocument {
  return {
    schemas: [SCIM_SCHEMA_SCHEMA],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes.map(attributeDocument),
    meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${schema.id}` },
  };
}

/**
 * Copies the published characteristics one by one (RFC 7643 §7 order), so
 * whatever else a definition may come to carry internally stays internal.
 */
function attributeDocument(definition: AttributeDefinition): AttributeDocument {
  return {
    name: definition.name,
    type: definition.type,
    multiValued: definition.multiValued,
    description: definition.description,
    required: definition.required,
    ...(definition.canonicalValues ? { canonicalValues: definition.canonicalValues } : {}),
    caseExact: definition.caseExact,
    mutability: definition.mutability,
    returned: definition.returned,
    uniqueness: definition.uniqueness,
    ...(definition.referenceTypes ? { referenceTypes: definition.referenceTypes } : {}),
    ...(definition.subAttributes ? { subAttributes: definition.subAttributes.map(attributeDocument) } : {}),
  };
}
