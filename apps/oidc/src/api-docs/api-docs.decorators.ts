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
