import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IdentityEvent, ScimTokensService, TenantsService } from '@app/identity';
import { createScimApp } from '../../apps/scim/src/create-scim-app';
import { TestApp, startTestApp } from './test-app';
import { TestDatabase } from './test-database';

/** The SCIM base URL the test configuration publishes (SCIM_PUBLIC_URL + /scim/v2). */
export const SCIM_BASE_URL = 'https://scim.gateway.test/scim/v2';
export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const SEARCH_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** A weak entity tag (RFC 9110 §8.8.3), the form `meta.version` and `ETag` take. */
export const WEAK_ETAG = /^W\/"[^"]+"$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A SCIM response with its body parsed (undefined when there is none). */
export interface ScimResponse {
  readonly status: number;
  readonly headers: Record<string, unknown>;
  readonly body: any;
}

/** A tenant with a SCIM token, and a client that sends as that tenant's IdP would. */
export interface ScimTenant {
  readonly id: string;
  readonly slug: string;
  readonly token: string;
  /**
   * Sends a request with this tenant's bearer token. An object body is sent as
   * JSON with `Content-Type: application/scim+json`; a string body is sent as it
   * is (for malformed JSON). `headers` add to or override those defaults; a
   * header given as '' is not sent at all (a body without Content-Type, a
   * request without Authorization).
   */
  send(method: HttpMethod, url: string, body?: unknown, headers?: Record<string, string>): Promise<ScimResponse>;
}

/** Every response any tenant client received with a 5xx status: a SCIM server never answers 500. */
export const serverErrors: { method: string; url: string; status: number; body: unknown }[] = [];

/** Boots the SCIM app through its real factory on a database of its own. */
export function startScimApp(): Promise<TestApp> {
  return startTestApp(createScimApp);
}

/** Creates a tenant, issues it a SCIM token, and returns a client acting as its IdP. */
export async function createScimTenant(gateway: TestApp, slug: string): Promise<ScimTenant> {
  const tenant = await gateway.app.get(TenantsService).create({ slug, name: slug, domains: [], signIn: 'jit' });
  const { token } = await gateway.app.get(ScimTokensService).issue(slug, {});
  const send = async (
    method: HttpMethod,
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ScimResponse> => {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const merged: Record<string, string> = {
      authorization: `Bearer ${token}`,
      ...(payload === undefined ? {} : { 'content-type': 'application/scim+json' }),
      ...headers,
    };
    const response = await gateway.app.inject({
      method,
      url,
      headers: Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== '')),
      ...(payload === undefined ? {} : { payload }),
    });
    const parsed = parseBody(response.body, String(response.headers['content-type'] ?? ''));
    if (response.statusCode >= 500) serverErrors.push({ method, url, status: response.statusCode, body: parsed });
    return { status: response.statusCode, headers: response.headers, body: parsed };
  };
  return { id: tenant.id, slug, token, send };
}

function parseBody(text: string, contentType: string): unknown {
  if (text === '') return undefined;
  if (!/json/.test(contentType)) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The lifecycle events in the outbox, oldest first; only those of one subject when `subjectId` is given. */
export async function events(db: TestDatabase, subjectId?: string): Promise<IdentityEvent[]> {
  const rows =
    subjectId === undefined
      ? await db.query<{ payload: IdentityEvent }>('SELECT payload FROM outbox_events ORDER BY position')
      : await db.query<{ payload: IdentityEvent }>(
          'SELECT payload FROM outbox_events WHERE subject_id = $1 ORDER BY position',
          [subjectId],
        );
  return rows.map((row) => row.payload);
}

/** How many events the outbox holds in all. */
export async function eventCount(db: TestDatabase): Promise<number> {
  const [{ count }] = await db.query<{ count: string }>('SELECT count(*) AS count FROM outbox_events');
  return Number(count);
}

/** The stored password hash of a user (null when none was set). */
export async function passwordHash(db: TestDatabase, userId: string): Promise<string | null> {
  const rows = await db.query<{ password_hash: string | null }>('SELECT password_hash FROM users WHERE id = $1', [
    userId,
  ]);
  return rows[0]?.password_hash ?? null;
}

/**
 * A payload of test/fixtures (`okta/create-user`), freshly parsed, with
 * `{placeholder}` strings replaced by the given values.
 */
export function fixture(name: string, values: Record<string, string> = {}): any {
  let text = readFileSync(join(__dirname, '..', 'fixtures', `${name}.json`), 'utf8');
  for (const [key, value] of Object.entries(values)) text = text.split(`{${key}}`).join(value);
  return JSON.parse(text) as unknown;
}

/** A PatchOp message (RFC 7644 §3.5.2) with these operations. */
export function patchOp(...operations: Record<string, unknown>[]): Record<string, unknown> {
  return { schemas: [PATCH_OP_SCHEMA], Operations: operations };
}

/** `/scim/v2/Users?filter=…` with the filter percent-encoded, plus any other query parameters. */
export function usersQuery(parameters: Record<string, string | number>): string {
  const query = Object.entries(parameters)
    .map(([key, value]) => `${key}=${encodeURIComponent(String(value))}`)
    .join('&');
  return `/scim/v2/Users?${query}`;
}

/**
 * The body without top-level empty arrays: RFC 7643 §2.5 makes an empty array
 * the same as an unassigned attribute, so `groups: []` and no `groups` are equal.
 */
export function withoutEmptyArrays(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => !(Array.isArray(value) && value.length === 0)));
}

/** The attributes of a resource without `meta` (what stays equal across a change that only bumps the version). */
export function withoutMeta(body: Record<string, unknown>): Record<string, unknown> {
  const { meta: _meta, ...rest } = body;
  return withoutEmptyArrays(rest);
}

/** Asserts a SCIM error response (RFC 7644 §3.12): the status, the error schema, and the scimType if one is named. */
export function expectScimError(response: ScimResponse, status: number, scimType?: string | readonly string[]): void {
  expect({ status: response.status, body: response.body }).toEqual({
    status,
    body: expect.objectContaining({ schemas: [ERROR_SCHEMA], status: String(status) }),
  });
  expect(response.headers['content-type']).toBe(SCIM_CONTENT_TYPE);
  expect(typeof response.body.detail === 'string' || response.body.detail === undefined).toBe(true);
  const allowed = Object.keys(response.body as object).filter(
    (key) => !['schemas', 'status', 'scimType', 'detail'].includes(key),
  );
  expect(allowed).toEqual([]);
  if (scimType === undefined) return;
  if (typeof scimType === 'string') expect(response.body.scimType).toBe(scimType);
  else expect(scimType).toContain(response.body.scimType);
}

/** The expected `meta` of a user: server-chosen times and version, a location the id fixes. */
export function expectedMeta(id: string): Record<string, unknown> {
  return {
    resourceType: 'User',
    created: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/),
    lastModified: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/),
    version: expect.stringMatching(WEAK_ETAG),
    location: `${SCIM_BASE_URL}/Users/${id}`,
  };
}
