import { z } from 'zod';

/** A JSON Schema (2020-12, the dialect of OpenAPI 3.1), as far as the document needs one. */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** A query parameter of the document. */
export interface QueryParameter {
  readonly name: string;
  readonly in: 'query';
  readonly required: boolean;
  readonly description?: string;
  readonly schema: JsonSchema;
}

/**
 * The JSON Schema of what a request may send: zod's own conversion of the schema
 * the route validates with (`io: 'input'`: a field with a default may be left out).
 * Refinements and transforms have no JSON Schema; the 400's message names what they refuse.
 */
export function requestSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  return rest;
}

/**
 * The JSON Schema of what a response holds, from a zod schema of it. Open to fields
 * it does not name (zod closes its objects): a later version may add a field, and
 * a client must not break on it.
 */
export function responseSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io: 'output',
    unrepresentable: 'any',
    override: ({ jsonSchema }) => {
      if (jsonSchema.additionalProperties === false) delete jsonSchema.additionalProperties;
    },
  });
  return rest;
}

/** One query parameter per field of an object schema (the query string is read as such an object). */
export function queryParameters(schema: z.ZodType): QueryParameter[] {
  const object = requestSchema(schema);
  if (object['type'] !== 'object') throw new Error('a query schema must be an object schema');
  const properties = (object['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((object['required'] ?? []) as string[]);
  return Object.entries(properties).map(([name, { description, ...property }]) => ({
    name,
    in: 'query',
    required: required.has(name),
    ...(typeof description === 'string' ? { description } : {}),
    schema: property,
  }));
}
