import { ScimError } from '../errors';
import { parseFilter } from '../filter/filter.parser';
import type { FilterNode } from '../filter/filter.ast';
import { parseAttributeList, type ProjectionOptions } from '../resource/projection';
import { isPlainObject } from '../resource/resource-validator';

/** RFC 7644 §3.4.2: the ListResponse message schema. */
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
/** RFC 7644 §3.4.3: the SearchRequest message schema. */
export const SEARCH_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
/** Most resources one page returns; published as filter.maxResults in /ServiceProviderConfig. */
export const MAX_RESULTS = 200;

/** A list or search request, validated. */
export interface ListQuery {
  readonly filter?: FilterNode;
  /** 1-based (RFC 7644 §3.4.2.4). */
  readonly startIndex: number;
  /** Already capped at MAX_RESULTS; 0 asks for the total only. */
  readonly count: number;
  readonly sortBy?: string;
  readonly sortOrder: 'ascending' | 'descending';
  readonly projection: ProjectionOptions;
}

/** The ListResponse of one page. */
export interface ListResponse<Resource> {
  readonly schemas: [typeof LIST_RESPONSE_SCHEMA];
  readonly totalResults: number;
  readonly startIndex: number;
  readonly itemsPerPage: number;
  readonly Resources: readonly Resource[];
}

/** Reads `GET /{resource}` query parameters. */
export function listQueryFromParams(params: Record<string, unknown>): ListQuery {
  return buildListQuery(lowerKeys(params));
}

/** Reads a `POST /{resource}/.search` body (RFC 7644 §3.4.3). */
export function listQueryFromSearch(body: unknown): ListQuery {
  if (!isPlainObject(body)) throw ScimError.badRequest('invalidSyntax', 'a search request must be a JSON object');
  const schemas = body['schemas'];
  if (schemas !== undefined && !(Array.isArray(schemas) && schemas.includes(SEARCH_REQUEST_SCHEMA))) {
    throw ScimError.badRequest('invalidSyntax', `schemas must contain ${SEARCH_REQUEST_SCHEMA}`);
  }
  return buildListQuery(lowerKeys(body));
}

/** A ListResponse page (RFC 7644 §3.4.2); discovery lists are one whole page starting at 1 (§4). */
export function listResponse<Resource>(
  resources: readonly Resource[],
  totalResults: number,
  startIndex: number,
): ListResponse<Resource> {
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults,
    startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}

// Parameter names are case-insensitive in practice (clients send `startindex`, `Count`).
function lowerKeys(input: Record<string, unknown>): Record<string, unknown> {
  // No prototype: a parameter named `__proto__` is a key like any other, not the object's prototype.
  const lowered: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(input)) lowered[key.toLowerCase()] = input[key];
  return lowered;
}

function buildListQuery(input: Record<string, unknown>): ListQuery {
  const filterText = optionalString(input['filter'], 'filter');
  return {
    filter: filterText === undefined || filterText.trim() === '' ? undefined : parseFilter(filterText),
    // RFC 7644 §3.4.2.4: "A value less than 1 SHALL be interpreted as 1."
    startIndex: Math.max(1, integer(input['startindex'], 'startIndex') ?? 1),
    // "A negative value SHALL be interpreted as 0"; above the maximum, the server's maximum.
    count: Math.min(MAX_RESULTS, Math.max(0, integer(input['count'], 'count') ?? MAX_RESULTS)),
    sortBy: optionalString(input['sortby'], 'sortBy') || undefined,
    sortOrder: sortOrder(input['sortorder']),
    projection: {
      attributes: parseAttributeList(stringList(input['attributes'], 'attributes')),
      excludedAttributes: parseAttributeList(stringList(input['excludedattributes'], 'excludedAttributes')),
    },
  };
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return optionalString(value[value.length - 1], name);
  if (typeof value !== 'string') throw ScimError.badRequest('invalidValue', `${name} must be a string`);
  return value;
}

function stringList(value: unknown, name: string): string | string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  throw ScimError.badRequest('invalidValue', `${name} must be a comma-separated string or a list of strings`);
}

function integer(value: unknown, name: string): number | undefined {
  const raw: unknown = Array.isArray(value) ? (value as unknown[])[value.length - 1] : value;
  if (raw === undefined || raw === null || raw === '') return undefined;
  const number =
    typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(number)) throw ScimError.badRequest('invalidValue', `${name} must be an integer`);
  return number;
}

function sortOrder(value: unknown): 'ascending' | 'descending' {
  const text = optionalString(value, 'sortOrder');
  if (text === undefined || text === '') return 'ascending';
  const lower = text.toLowerCase();
  if (lower === 'ascending' || lower === 'descending') return lower;
  throw ScimError.badRequest('invalidValue', 'sortOrder must be "ascending" or "descending"');
}
