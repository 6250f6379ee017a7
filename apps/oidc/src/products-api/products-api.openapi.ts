import { applyDecorators } from '@nestjs/common';
import { DIRECTORY_DEFAULT_LIMIT, DIRECTORY_MAX_LIMIT } from '@app/identity/directory/directory-query';
import { IDENTITY_EVENT_TYPES } from '@app/identity/events/identity-event';
import { FEED_DEFAULT_LIMIT, FEED_MAX_LIMIT, FEED_MAX_WAIT_S } from '@app/identity/events-feed/feed-query';
import {
  ApiExtraResponse,
  ApiOperationInfo,
  ApiParameter,
  ApiParameterMetadata,
  ApiResult,
} from '../api-docs/api-docs.decorators';
import type { JsonSchema } from '../api-docs/zod-json-schema';
import { PROVIDER_ROUTES, productsApiAudience } from '../provider/provider-routes';
import type { ProductsApiScope } from './products-api.guard';

/*
 * The products API's part of the OpenAPI document (see api-docs/api-document.ts):
 * its security scheme, refusals and bodies, and one decorator per route for what
 * the controllers cannot say themselves. Its query strings are read by the identity
 * library's parsers, not by zod schemas, so the parameters are stated here, with the
 * limits taken from those parsers' own constants; an end-to-end test checks that each
 * documented range is the one enforced.
 */

/** The products API's security scheme: a client-credentials access token. */
export const PRODUCTS_API_SCHEME = 'clientCredentials';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const nullable = (type: string, extra: JsonSchema = {}): JsonSchema => ({ type: [type, 'null'], ...extra });

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
  content: {
    'application/json': {
      schema: {
        allOf: [ref('Error')],
        properties: { error: { type: 'object', properties: { code: { enum: codes } } } },
      },
    },
  },
});

/** A page of a directory listing whose items are `item`. */
const directoryPage = (item: string): JsonSchema => ({
  type: 'object',
  required: ['data', 'nextCursor', 'eventsCursor'],
  properties: {
    data: { type: 'array', items: ref(item) },
    nextCursor: nullable('string', { description: 'The next page’s cursor; `null` on the last page.' }),
    eventsCursor: {
      type: 'string',
      description:
        'The events feed’s position at the listing’s first page (every page repeats it): following `GET /api/v1/events?after=` from it misses no change made since.',
    },
  },
});

/** The products API's security scheme, refusals, bodies and tags, for a gateway at `base`. */
export function productsApiComponents(base: string): {
  description: string;
  securitySchemes: Record<string, JsonSchema>;
  responses: Record<string, JsonSchema>;
  schemas: Record<string, JsonSchema>;
  tags: { name: string; description: string }[];
} {
  return {
    description:
      'Products pull the directory as it stands, then follow every change from that moment with a cursor they keep. ' +
      'Authorise the products API with a client-credentials access token of a product registered at the gateway’s OpenID Provider ' +
      `(token endpoint in ${base}/.well-known/openid-configuration; access tokens have the audience ${productsApiAudience(base)}).`,
    securitySchemes: {
      [PRODUCTS_API_SCHEME]: {
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
    },
    schemas: {
      UsersPage: directoryPage('User'),
      GroupsPage: directoryPage('Group'),
      EventsPage: {
        type: 'object',
        required: ['data', 'nextCursor', 'hasMore'],
        properties: {
          data: { type: 'array', items: ref('Event') },
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
    tags: [
      { name: 'events', description: 'The events feed: the same event objects (same ids) that webhooks carry.' },
      { name: 'directory', description: 'Users and groups as they stand, in keyset pages.' },
    ],
  };
}

/** An optional query parameter, read by the identity library's parsers. */
const query = (parameter: Omit<ApiParameterMetadata, 'in'>) => ApiParameter({ ...parameter, in: 'query' });

const tenant = query({
  name: 'tenant',
  description:
    'A tenant’s slug. Without it, every tenant the client’s registration allows; a tenant it does not allow is 403.',
  schema: { type: 'string' },
});

const pageQuery = applyDecorators(
  tenant,
  query({
    name: 'cursor',
    description: 'The `nextCursor` of the previous page of the same listing; without it, the first page.',
    schema: { type: 'string' },
  }),
  query({
    name: 'limit',
    description: 'Items per page at most.',
    schema: { type: 'integer', minimum: 1, maximum: DIRECTORY_MAX_LIMIT, default: DIRECTORY_DEFAULT_LIMIT },
  }),
);

const id = (what: string) =>
  ApiParameter({
    name: 'id',
    in: 'path',
    required: true,
    description: `The ${what}’s id.`,
    schema: { type: 'string', format: 'uuid' },
  });

const operation = (operationId: string, summary: string, description: string) =>
  ApiOperationInfo({ operationId, summary, description });

/** What each route of the products API documents beyond what its controller declares. */
export const ProductsApiDocs = {
  listEvents: () =>
    applyDecorators(
      operation(
        'listEvents',
        'Read the events feed after a cursor',
        'Events after `after`, in feed order: no event is ever skipped (once a cursor is handed out, no event can later appear before it), and one subject’s events keep their `sequence` order. `nextCursor` is always present, also at the end, to wait for more there.',
      ),
      query({
        name: 'after',
        description:
          'A `nextCursor` or `eventsCursor` from an earlier response. Without it, the feed starts at the oldest event retained; a cursor older than retention is 410.',
        schema: { type: 'string' },
      }),
      query({
        name: 'types',
        description:
          'Comma-separated event types or families (`user.*`, `group.*`, `*`), e.g. `user.*,group.member_added`.',
        schema: { type: 'string', examples: ['user.*,group.member_added'] },
      }),
      tenant,
      query({
        name: 'limit',
        description: 'Events per page at most.',
        schema: { type: 'integer', minimum: 1, maximum: FEED_MAX_LIMIT, default: FEED_DEFAULT_LIMIT },
      }),
      query({
        name: 'wait',
        description: 'Seconds to hold the request until an event comes, when there is none yet.',
        schema: { type: 'integer', minimum: 0, maximum: FEED_MAX_WAIT_S, default: 0 },
      }),
      ApiResult('EventsPage', 'A page of events.'),
      ApiExtraResponse(
        410,
        error(
          'The cursor is older than the feed’s retention: list the directory again and follow the feed from its `eventsCursor`.',
          ['cursor_expired'],
        ),
      ),
    ),
  listUsers: () =>
    applyDecorators(
      operation(
        'listUsers',
        'List users',
        'Users in keyset pages (never OFFSET, never a count). Each user that exists throughout a listing appears in it exactly once; changes during the listing arrive through the events feed after `eventsCursor`.',
      ),
      pageQuery,
      query({
        name: 'active',
        description: 'Only active (`true`) or inactive (`false`) users.',
        schema: { type: 'string', enum: ['true', 'false'] },
      }),
      query({
        name: 'updatedSince',
        description: 'Only users changed at or after this ISO 8601 date or date-time (with a time zone).',
        schema: { type: 'string', examples: ['2026-12-01T00:00:00Z'] },
      }),
      query({
        name: 'email',
        description: 'Only users with this email (case-insensitive).',
        schema: { type: 'string', minLength: 1, maxLength: 320 },
      }),
      ApiResult('UsersPage', 'A page of users.'),
    ),
  getUser: () =>
    applyDecorators(
      operation('getUser', 'Get one user', 'One user of a tenant the client may read.'),
      id('user'),
      ApiResult('User', 'The user.'),
    ),
  listUserGroups: () =>
    applyDecorators(
      operation('listUserGroups', 'List the groups a user is in', 'The groups a user is a member of, in keyset pages.'),
      id('user'),
      pageQuery,
      ApiResult('GroupsPage', 'A page of groups.'),
    ),
  listGroups: () =>
    applyDecorators(
      operation(
        'listGroups',
        'List groups',
        'Groups with their `memberCount`, in keyset pages; members are never inlined.',
      ),
      pageQuery,
      ApiResult('GroupsPage', 'A page of groups.'),
    ),
  listGroupMembers: () =>
    applyDecorators(
      operation(
        'listGroupMembers',
        'List a group’s members',
        'A group’s members (users), in keyset pages: a 50,000-member group too.',
      ),
      id('group'),
      pageQuery,
      ApiResult('UsersPage', 'A page of users.'),
    ),
};
