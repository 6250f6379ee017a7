import { DIRECTORY_DEFAULT_LIMIT, DIRECTORY_MAX_LIMIT } from '@app/identity/directory/directory-query';
import { IDENTITY_EVENT_TYPES } from '@app/identity/events/identity-event';
import { FEED_DEFAULT_LIMIT, FEED_MAX_LIMIT, FEED_MAX_WAIT_S } from '@app/identity/events-feed/feed-query';
import { PROVIDER_ROUTES, productsApiAudience } from '../provider/provider-routes';
import type { ProductsApiScope } from './products-api.guard';

/** A JSON Schema (OpenAPI 3.1 uses JSON Schema 2020-12), as far as this document needs one. */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** An OpenAPI 3.1 document; `products-api.openapi.e2e-spec.ts` validates it against the official schema. */
export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: { readonly title: string; readonly version: string; readonly description: string };
  readonly servers: readonly { readonly url: string }[];
  readonly security: readonly Record<string, readonly string[]>[];
  readonly tags: readonly { readonly name: string; readonly description: string }[];
  readonly paths: Record<string, Record<'get', OpenApiOperation>>;
  readonly components: {
    readonly securitySchemes: Record<string, JsonSchema>;
    readonly parameters: Record<string, OpenApiParameter>;
    readonly responses: Record<string, JsonSchema>;
    readonly schemas: Record<string, JsonSchema>;
  };
}

export interface OpenApiParameter {
  readonly name: string;
  readonly in: 'query' | 'path';
  readonly required?: boolean;
  readonly description: string;
  readonly schema: JsonSchema;
}

export interface OpenApiOperation {
  readonly operationId: string;
  readonly tags: readonly string[];
  readonly summary: string;
  readonly description: string;
  readonly security: readonly Record<string, readonly string[]>[];
  readonly parameters: readonly ({ readonly $ref: string } | OpenApiParameter)[];
  readonly responses: Record<string, JsonSchema>;
}

const SCHEME = 'clientCredentials';
const ref = (kind: 'schemas' | 'parameters' | 'responses', name: string) => ({ $ref: `#/components/${kind}/${name}` });
const json = (schema: JsonSchema) => ({ 'application/json': { schema } });
const nullable = (type: string, extra: JsonSchema = {}): JsonSchema => ({ type: [type, 'null'], ...extra });

/** The refusals every route can give (INTERFACES.md: errors as in the admin API). */
const COMMON_ERRORS = {
  '400': ref('responses', 'BadRequest'),
  '401': ref('responses', 'Unauthorized'),
  '403': ref('responses', 'Forbidden'),
  '404': ref('responses', 'NotFound'),
};

function operation(
  scope: ProductsApiScope,
  spec: Pick<OpenApiOperation, 'operationId' | 'summary' | 'description' | 'parameters'> & {
    readonly ok: { readonly description: string; readonly schema: JsonSchema };
    readonly gone?: boolean;
  },
): OpenApiOperation {
  return {
    operationId: spec.operationId,
    tags: [scope === 'events:read' ? 'events' : 'directory'],
    summary: spec.summary,
    description: spec.description,
    security: [{ [SCHEME]: [scope] }],
    parameters: spec.parameters,
    responses: {
      '200': { description: spec.ok.description, content: json(spec.ok.schema) },
      ...COMMON_ERRORS,
      ...(spec.gone ? { '410': ref('responses', 'CursorExpired') } : {}),
    },
  };
}

/** A page of a directory listing whose items are `item`. */
const directoryPage = (item: string): JsonSchema => ({
  type: 'object',
  required: ['data', 'nextCursor', 'eventsCursor'],
  properties: {
    data: { type: 'array', items: ref('schemas', item) },
    nextCursor: nullable('string', { description: 'The next page’s cursor; `null` on the last page.' }),
    eventsCursor: {
      type: 'string',
      description:
        'The events feed’s position at the listing’s first page (every page repeats it): following `GET /api/v1/events?after=` from it misses no change made since.',
    },
  },
});

const error = (description: string, codes: readonly string[], withChallenge = false): JsonSchema => ({
  description,
  ...(withChallenge
    ? {
        headers: {
          'WWW-Authenticate': {
            description: 'The RFC 6750 §3 challenge (`Bearer error="invalid_token"` or `error="insufficient_scope"`).',
            schema: { type: 'string' },
          },
        },
      }
    : {}),
  content: json({
    allOf: [ref('schemas', 'Error')],
    properties: { error: { type: 'object', properties: { code: { enum: codes } } } },
  }),
});

/**
 * The OpenAPI 3.1 description of the products API (INTERFACES.md, Products API),
 * written beside the controllers and checked against them: an end-to-end test
 * fails if a route under `/api/v1` is missing here or one here is not served.
 * Written by hand rather than generated with @nestjs/swagger: the controllers
 * take their query as a record that the identity library parses, so decorators
 * would repeat every parameter anyway, next to the rules they describe; here the
 * limits come from those rules' own constants.
 */
export function productsApiDocument(publicUrl: string): OpenApiDocument {
  const base = publicUrl.replace(/\/+$/, '');
  const tenant: OpenApiParameter = {
    name: 'tenant',
    in: 'query',
    description:
      'A tenant’s slug. Without it, every tenant the client’s registration allows; a tenant it does not allow is 403.',
    schema: { type: 'string' },
  };
  const id = (what: string): OpenApiParameter => ({
    name: 'id',
    in: 'path',
    required: true,
    description: `The ${what}’s id.`,
    schema: { type: 'string', format: 'uuid' },
  });
  return {
    openapi: '3.1.0',
    info: {
      title: 'Identity gateway Products API',
      version: '1',
      description:
        'Products pull the directory as it stands, then follow every change from that moment with a cursor they keep. ' +
        'Authorise with a client-credentials access token of a product registered at the gateway’s OpenID Provider ' +
        `(token endpoint in ${base}/.well-known/openid-configuration; access tokens have the audience ${productsApiAudience(base)}). ` +
        'Errors are `{"error": {"code", "message"}}`.',
    },
    servers: [{ url: base }],
    security: [{ [SCHEME]: [] }],
    tags: [
      { name: 'events', description: 'The events feed: the same event objects (same ids) that webhooks carry.' },
      { name: 'directory', description: 'Users and groups as they stand, in keyset pages.' },
    ],
    paths: {
      '/api/v1/events': {
        get: operation('events:read', {
          operationId: 'listEvents',
          summary: 'Read the events feed after a cursor',
          description:
            'Events after `after`, in feed order: no event is ever skipped (once a cursor is handed out, no event can later appear before it), and one subject’s events keep their `sequence` order. `nextCursor` is always present, also at the end, to wait for more there.',
          parameters: [
            {
              name: 'after',
              in: 'query',
              description:
                'A `nextCursor` or `eventsCursor` from an earlier response. Without it, the feed starts at the oldest event retained; a cursor older than retention is 410.',
              schema: { type: 'string' },
            },
            {
              name: 'types',
              in: 'query',
              description:
                'Comma-separated event types or families (`user.*`, `group.*`, `*`), e.g. `user.*,group.member_added`.',
              schema: { type: 'string', examples: ['user.*,group.member_added'] },
            },
            tenant,
            {
              name: 'limit',
              in: 'query',
              description: 'Events per page at most.',
              schema: { type: 'integer', minimum: 1, maximum: FEED_MAX_LIMIT, default: FEED_DEFAULT_LIMIT },
            },
            {
              name: 'wait',
              in: 'query',
              description: 'Seconds to hold the request until an event comes, when there is none yet.',
              schema: { type: 'integer', minimum: 0, maximum: FEED_MAX_WAIT_S, default: 0 },
            },
          ],
          ok: { description: 'A page of events.', schema: ref('schemas', 'EventsPage') },
          gone: true,
        }),
      },
      '/api/v1/directory/users': {
        get: operation('directory:read', {
          operationId: 'listUsers',
          summary: 'List users',
          description:
            'Users in keyset pages (never OFFSET, never a count). Each user that exists throughout a listing appears in it exactly once; changes during the listing arrive through the events feed after `eventsCursor`.',
          parameters: [
            tenant,
            ref('parameters', 'Cursor'),
            ref('parameters', 'DirectoryLimit'),
            {
              name: 'active',
              in: 'query',
              description: 'Only active (`true`) or inactive (`false`) users.',
              schema: { type: 'string', enum: ['true', 'false'] },
            },
            {
              name: 'updatedSince',
              in: 'query',
              description: 'Only users changed at or after this ISO 8601 date or date-time (with a time zone).',
              schema: { type: 'string', examples: ['2026-12-01T00:00:00Z'] },
            },
            {
              name: 'email',
              in: 'query',
              description: 'Only users with this email (case-insensitive).',
              schema: { type: 'string', minLength: 1, maxLength: 320 },
            },
          ],
          ok: { description: 'A page of users.', schema: ref('schemas', 'UsersPage') },
        }),
      },
      '/api/v1/directory/users/{id}': {
        get: operation('directory:read', {
          operationId: 'getUser',
          summary: 'Get one user',
          description: 'One user of a tenant the client may read.',
          parameters: [id('user')],
          ok: { description: 'The user.', schema: ref('schemas', 'User') },
        }),
      },
      '/api/v1/directory/users/{id}/groups': {
        get: operation('directory:read', {
          operationId: 'listUserGroups',
          summary: 'List the groups a user is in',
          description: 'The groups a user is a member of, in keyset pages.',
          parameters: [id('user'), tenant, ref('parameters', 'Cursor'), ref('parameters', 'DirectoryLimit')],
          ok: { description: 'A page of groups.', schema: ref('schemas', 'GroupsPage') },
        }),
      },
      '/api/v1/directory/groups': {
        get: operation('directory:read', {
          operationId: 'listGroups',
          summary: 'List groups',
          description: 'Groups with their `memberCount`, in keyset pages; members are never inlined.',
          parameters: [tenant, ref('parameters', 'Cursor'), ref('parameters', 'DirectoryLimit')],
          ok: { description: 'A page of groups.', schema: ref('schemas', 'GroupsPage') },
        }),
      },
      '/api/v1/directory/groups/{id}/members': {
        get: operation('directory:read', {
          operationId: 'listGroupMembers',
          summary: 'List a group’s members',
          description: 'A group’s members (users), in keyset pages: a 50,000-member group too.',
          parameters: [id('group'), tenant, ref('parameters', 'Cursor'), ref('parameters', 'DirectoryLimit')],
          ok: { description: 'A page of users.', schema: ref('schemas', 'UsersPage') },
        }),
      },
    },
    components: {
      securitySchemes: {
        [SCHEME]: {
          type: 'oauth2',
          description:
            'A client-credentials access token (RFC 9068 JWT) of a product registered with the `client_credentials` grant; its registration’s `tenants` limit what it reads.',
          flows: {
            clientCredentials: {
              tokenUrl: `${base}${PROVIDER_ROUTES.token}`,
              scopes: {
                'events:read': 'Read the events feed.',
                'directory:read': 'Read the directory of users and groups.',
              } satisfies Record<ProductsApiScope, string>,
            },
          },
        },
      },
      parameters: {
        Cursor: {
          name: 'cursor',
          in: 'query',
          description: 'The `nextCursor` of the previous page of the same listing; without it, the first page.',
          schema: { type: 'string' },
        },
        DirectoryLimit: {
          name: 'limit',
          in: 'query',
          description: 'Items per page at most.',
          schema: { type: 'integer', minimum: 1, maximum: DIRECTORY_MAX_LIMIT, default: DIRECTORY_DEFAULT_LIMIT },
        },
      },
      responses: {
        BadRequest: error('A bad cursor, an out-of-range `limit` (or `wait`), or another bad parameter.', [
          'invalid_request',
        ]),
        Unauthorized: error('No access token, or one that is invalid or expired.', ['unauthorized'], true),
        Forbidden: error(
          'The token lacks the route’s scope (`insufficient_scope`), or the client may not read that tenant (`forbidden`).',
          ['insufficient_scope', 'forbidden'],
          true,
        ),
        NotFound: error('No such tenant, user or group (within the tenants the client may read).', ['not_found']),
        CursorExpired: error(
          'The cursor is older than the feed’s retention: list the directory again and follow the feed from its `eventsCursor`.',
          ['cursor_expired'],
        ),
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string', description: 'A stable code.' },
                message: { type: 'string', description: 'What went wrong, fit to show a developer.' },
              },
            },
          },
        },
        UsersPage: directoryPage('User'),
        GroupsPage: directoryPage('Group'),
        EventsPage: {
          type: 'object',
          required: ['data', 'nextCursor', 'hasMore'],
          properties: {
            data: { type: 'array', items: ref('schemas', 'Event') },
            nextCursor: { type: 'string', description: 'Where to read next; present also at the end.' },
            hasMore: { type: 'boolean', description: 'Whether more events may be read right away.' },
          },
        },
        Event: {
          type: 'object',
          description: 'A lifecycle event, exactly as webhooks carry it (the same id is the `webhook-id`).',
          required: ['id', 'type', 'occurredAt', 'tenant', 'subject', 'sequence', 'data'],
          properties: {
            id: { type: 'string', format: 'uuid' },
            type: { type: 'string', enum: [...IDENTITY_EVENT_TYPES] },
            occurredAt: { type: 'string', format: 'date-time' },
            tenant: {
              type: 'object',
              required: ['id', 'slug'],
              properties: { id: { type: 'string', format: 'uuid' }, slug: { type: 'string' } },
            },
            subject: {
              type: 'object',
              required: ['type', 'id'],
              properties: { type: { type: 'string', enum: ['user', 'group'] }, id: { type: 'string' } },
            },
            sequence: {
              type: 'integer',
              minimum: 1,
              description: 'Rises with each change of the same subject: an event at or below one seen is stale.',
            },
            data: {
              type: 'object',
              additionalProperties: true,
              description:
                'The resource after the change (the SCIM user, or the group without its members; membership events carry `{group, member}`); never a password or secret.',
            },
            previous: {
              type: 'object',
              additionalProperties: true,
              description:
                'On `user.updated` and `group.updated` only: the old values of the top-level fields of `data` that changed, each whole (`null` for a field that was absent). Events stored before it existed lack it.',
            },
          },
        },
        User: {
          type: 'object',
          required: [
            'id',
            'tenant',
            'externalId',
            'userName',
            'email',
            'name',
            'active',
            'roles',
            'teams',
            'sequence',
            'createdAt',
            'updatedAt',
          ],
          properties: {
            id: { type: 'string', format: 'uuid' },
            tenant: { type: 'string', description: 'The tenant’s slug.' },
            externalId: nullable('string'),
            userName: { type: 'string' },
            email: nullable('string', { description: 'The primary email.' }),
            name: {
              type: 'object',
              required: ['givenName', 'familyName', 'formatted'],
              properties: {
                givenName: nullable('string'),
                familyName: nullable('string'),
                formatted: nullable('string'),
              },
            },
            active: { type: 'boolean' },
            roles: {
              type: 'array',
              items: { type: 'string' },
              description: 'Effective roles: granted by an administrator, then derived by the tenant’s group rules.',
            },
            teams: { type: 'array', items: { type: 'string' } },
            sequence: {
              type: 'integer',
              description: 'The sequence of the user’s latest event: a feed event at or below it is stale.',
            },
            createdAt: { type: 'string', format: 'date-time' },
            updatedAt: { type: 'string', format: 'date-time' },
          },
        },
        Group: {
          type: 'object',
          required: ['id', 'tenant', 'externalId', 'displayName', 'memberCount', 'sequence', 'createdAt', 'updatedAt'],
          properties: {
            id: { type: 'string', format: 'uuid' },
            tenant: { type: 'string', description: 'The tenant’s slug.' },
            externalId: nullable('string'),
            displayName: { type: 'string' },
            memberCount: { type: 'integer', minimum: 0 },
            sequence: {
              type: 'integer',
              description: 'The sequence of the group’s latest event: a feed event at or below it is stale.',
            },
            createdAt: { type: 'string', format: 'date-time' },
            updatedAt: { type: 'string', format: 'date-time' },
          },
        },
      },
    },
  };
}
