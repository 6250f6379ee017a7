import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ResolvedConfig } from '@app/platform';
import { RequestLogService } from '@app/identity/request-log/request-log.service';
import { createOidcApp } from '../../apps/oidc/src/create-oidc-app';
import { createScimApp } from '../../apps/scim/src/create-scim-app';
import { AdminResponse, adminRequests } from './admin-requests';
import { USER_SCHEMA } from './scim-client';
import { GROUP_SCHEMA } from './scim-groups-client';
import { TestDatabase, createTestDatabase } from './test-database';
import { testConfig } from './test-config';

/** A tenant's IdP as the SCIM app sees it: requests with the tenant's bearer token. */
export interface IdpClient {
  readonly token: string;
  send(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, body?: unknown): Promise<AdminResponse>;
  /** Creates a user; its id. */
  user(userName: string): Promise<string>;
  /** Creates a group with these members; its id. */
  group(displayName: string, memberIds?: string[]): Promise<string>;
}

/** The SCIM app and the OIDC app (admin API) on one database, as in production. */
export interface ScimAndAdmin {
  readonly db: TestDatabase;
  readonly config: ResolvedConfig;
  readonly scim: NestFastifyApplication;
  readonly oidc: NestFastifyApplication;
  readonly admin: ReturnType<typeof adminRequests>;
  /** Creates a tenant through the admin API, issues it a SCIM token, and acts as its IdP. */
  tenant(slug: string): Promise<IdpClient>;
  /** Writes the SCIM app's buffered request log now (it is written off the request). */
  flushRequestLog(): Promise<void>;
  close(): Promise<void>;
}

export async function startScimAndAdmin(): Promise<ScimAndAdmin> {
  const db = await createTestDatabase();
  const config = testConfig(db.url);
  const [scim, oidc] = await Promise.all([createScimApp(config), createOidcApp(config)]);
  await Promise.all([scim.init(), oidc.init()]);
  const admin = adminRequests(oidc, config.adminToken);

  const client = (token: string): IdpClient => {
    const send: IdpClient['send'] = async (method, url, body) => {
      const response = await scim.inject({
        method,
        url,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
        },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
      return {
        status: response.statusCode,
        headers: response.headers,
        body: response.body === '' ? undefined : (JSON.parse(response.body) as unknown),
      };
    };
    const created = async (url: string, body: unknown): Promise<string> => {
      const response = await send('POST', url, body);
      if (response.status !== 201) throw new Error(`${url}: ${response.status} ${JSON.stringify(response.body)}`);
      return (response.body as { id: string }).id;
    };
    return {
      token,
      send,
      user: (userName) => created('/scim/v2/Users', { schemas: [USER_SCHEMA], userName }),
      group: (displayName, memberIds = []) =>
        created('/scim/v2/Groups', {
          schemas: [GROUP_SCHEMA],
          displayName,
          members: memberIds.map((value) => ({ value })),
        }),
    };
  };

  return {
    db,
    config,
    scim,
    oidc,
    admin,
    tenant: async (slug) => {
      const created = await admin.post('/admin/v1/tenants', { slug, name: slug });
      if (created.status !== 201) throw new Error(`tenant ${slug}: ${created.status}`);
      const issued = await admin.post(`/admin/v1/tenants/${slug}/scim-tokens`, {});
      return client((issued.body as { token: string }).token);
    },
    flushRequestLog: () => scim.get(RequestLogService, { strict: false }).flush(),
    close: async () => {
      await Promise.all([scim.close(), oidc.close()]);
      await db.drop();
    },
  };
}
