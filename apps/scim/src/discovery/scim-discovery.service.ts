import { ListResponse, listResponse } from '@app/identity';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, BODY_LIMIT_BYTES, ResolvedConfig } from '@app/platform';
import { ScimError } from '@app/identity/scim/errors';
import { GROUP_RESOURCE_TYPE, ScimResourceType, USER_RESOURCE_TYPE } from '@app/identity/scim/schemas';
import {
  ResourceTypeDocument,
  SchemaDocument,
  ServiceProviderConfigDocument,
  resourceTypeDocument,
  schemaDocument,
  serviceProviderConfigDocument,
} from './discovery.documents';

/** The resource types the gateway serves, in the order `/ResourceTypes` lists them. */
const RESOURCE_TYPES: readonly ScimResourceType[] = [USER_RESOURCE_TYPE, GROUP_RESOURCE_TYPE];

/**
 * The discovery documents of this deployment. They depend only on the
 * configuration, so they are built once at boot. `location` comes from
 * SCIM_PUBLIC_URL, never from the request's Host header, which a client controls.
 */
@Injectable()
export class ScimDiscoveryService {
  private readonly config: ServiceProviderConfigDocument;
  private readonly resourceTypeDocuments: readonly ResourceTypeDocument[];
  private readonly schemaDocuments: readonly SchemaDocument[];

  constructor(@Inject(APP_CONFIG) appConfig: ResolvedConfig) {
    const baseUrl = `${appConfig.scimPublicUrl}/scim/v2`;
    this.config = serviceProviderConfigDocument(baseUrl, { maxPayloadSize: BODY_LIMIT_BYTES });
    this.resourceTypeDocuments = RESOURCE_TYPES.map((type) => resourceTypeDocument(baseUrl, type));
    // Every schema a resource type uses, core first, each once: `/Schemas` cannot drift from `/ResourceTypes`.
    const schemas = RESOURCE_TYPES.flatMap((type) => [type.schema, ...type.schemaExtensions.map((ext) => ext.schema)]);
    this.schemaDocuments = [...new Set(schemas)].map((schema) => schemaDocument(baseUrl, schema));
  }

  serviceProviderConfig(): ServiceProviderConfigDocument {
    return this.config;
  }

  resourceTypes(): ListResponse<ResourceTypeDocument> {
    return listResponse(this.resourceTypeDocuments, this.resourceTypeDocuments.length, 1);
  }

  resourceType(name: string): ResourceTypeDocument {
    const found = this.resourceTypeDocuments.find((type) => equalsIgnoreCase(type.id, name));
    if (!found) throw ScimError.notFound(`no resource type "${name}"`);
    return found;
  }

  schemas(): ListResponse<SchemaDocument> {
    return listResponse(this.schemaDocuments, this.schemaDocuments.length, 1);
  }

  /** By URN, case-insensitively, as the schema registry resolves URNs (RFC 7643 §2.1). */
  schema(id: string): SchemaDocument {
    const found = this.schemaDocuments.find((schema) => equalsIgnoreCase(schema.id, id));
    if (!found) throw ScimError.notFound(`no schema "${id}"`);
    return found;
  }
}

function equalsIgnoreCase(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
