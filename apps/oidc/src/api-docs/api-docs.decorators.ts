import { CustomDecorator, SetMetadata } from '@nestjs/common';
import type { z } from 'zod';
import type { JsonSchema } from './zod-json-schema';

/** Metadata key of a route's documented success body. */
export const API_RESULT = 'apiDocs:result';
/** Metadata key of the zod schema a route's service parses its query string with. */
export const API_QUERY = 'apiDocs:query';

/** A route's success body: a schema of the document's components (by name), or a schema. */
export interface ApiResultMetadata {
  readonly schema: string | JsonSchema;
  readonly description: string;
}

/**
 * Documents what a route answers on success (whatever its status: 200, 201 or 202).
 * `schema` names a schema of the document's components, or is one.
 */
export const ApiResult = (schema: string | JsonSchema, description = 'Done.'): CustomDecorator =>
  SetMetadata(API_RESULT, { schema, description } satisfies ApiResultMetadata);

/**
 * Documents the query string of a route that hands its raw query to a service,
 * with the zod schema that service parses it with (routes that validate with
 * `ZodValidationPipe` need nothing: the document reads the pipe's schema).
 */
export const ApiZodQuery = (schema: z.ZodType): CustomDecorator => SetMetadata(API_QUERY, schema);

/** A body `{[key]: [items of the component schema `item`]}`, the admin API's listings. */
export function listOf(key: string, item: string): JsonSchema {
  return {
    type: 'object',
    required: [key],
    properties: { [key]: { type: 'array', items: { $ref: `#/components/schemas/${item}` } } },
  };
}

/*
 * The decorators below hold what a route documents in metadata of this module's own,
 * and api-document.ts hands it to @nestjs/swagger when the document is first built:
 * so the app loads @nestjs/swagger only then, not at every boot.
 */

/** Metadata key of a route's operationId, summary and description. */
export const API_OPERATION = 'apiDocs:operation';
/** Metadata key of a route's documented parameters (beyond what its controller declares). */
export const API_PARAMETERS = 'apiDocs:parameters';
/** Metadata key of a route's documented responses (beyond its success and the usual refusals). */
export const API_RESPONSES = 'apiDocs:responses';

/** A route's name for generated clients, and what it does. */
export interface ApiOperationMetadata {
  readonly operationId: string;
  readonly summary: string;
  readonly description: string;
}

/** A query or path parameter; a path parameter replaces the bare one the route's `@Param` gives. */
export interface ApiParameterMetadata {
  readonly name: string;
  readonly in: 'query' | 'path';
  readonly required?: boolean;
  readonly description: string;
  readonly schema: JsonSchema;
}

/** A response other than the route's success and its usual refusals (e.g. 410). */
export interface ApiResponseMetadata {
  readonly status: string;
  readonly response: JsonSchema;
}

const appendMetadata =
  (key: string, value: unknown): MethodDecorator =>
  (_target, _key, descriptor) => {
    const handler = descriptor.value as object;
    const list = (Reflect.getMetadata(key, handler) ?? []) as unknown[];
    Reflect.defineMetadata(key, [...list, value], handler);
    return descriptor;
  };

/** Names a route for generated clients (`listEvents`) and says what it does. */
export const ApiOperationInfo = (operation: ApiOperationMetadata): CustomDecorator =>
  SetMetadata(API_OPERATION, operation);

/** Documents a query or path parameter that the route's service reads itself. */
export const ApiParameter = (parameter: ApiParameterMetadata): MethodDecorator =>
  appendMetadata(API_PARAMETERS, parameter);

/** Documents a response other than the route's success and usual refusals. */
export const ApiExtraResponse = (status: number, response: JsonSchema): MethodDecorator =>
  appendMetadata(API_RESPONSES, { status: String(status), response } satisfies ApiResponseMetadata);
