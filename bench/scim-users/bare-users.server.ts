/**
 * The floor the gateway is compared with: Fastify + a `pg` Pool, no Nest, no TypeORM, no validation
 * beyond what the SQL needs, no argon2, no outbox. It answers the benchmark's requests with the same
 * queries the gateway needs at least (the token lookup joined to its tenant, then one indexed statement)
 * and similar JSON. Run as its own process, like the gateway:
 *   BARE_DATABASE_URL=postgres://… BARE_PORT=4100 node bench/run.js bench/scim-users/bare-users.server.ts
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { FastifyReply, FastifyRequest } from 'fastify';
import { Pool } from 'pg';

/** The gateway's pool size (`dataSourceOptions`: `extra.max`). */
const POOL_SIZE = 20;
const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';
const USER_COLUMNS = 'id, resource, version, created_at, updated_at';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface UserRow {
  id: string;
  resource: Record<string, unknown>;
  version: number;
  created_at: Date;
  updated_at: Date;
}

type Reply = FastifyReply;

export function buildBareServer(databaseUrl: string) {
  const pool = new Pool({ connectionString: databaseUrl, max: POOL_SIZE, application_name: 'gateway-bench-bare' });
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  app.addContentTypeParser('application/scim+json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
  app.addHook('onClose', () => pool.end());

  async function tenantOf(request: FastifyRequest, reply: Reply): Promise<string | undefined> {
    const token = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? '')?.[1];
    const hash = token ? createHash('sha256').update(token, 'utf8').digest() : undefined;
    const { rows } = hash
      ? await pool.query<{ token_hash: Buffer; tenant_id: string }>(
          `SELECT t.id AS token_id, t.token_hash, t.tenant_id, n.slug
             FROM scim_tokens t JOIN tenants n ON n.id = t.tenant_id
            WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())`,
          [hash],
        )
      : { rows: [] };
    const row = rows[0];
    if (row && hash && timingSafeEqual(row.token_hash, hash)) return row.tenant_id;
    void scimError(reply, 401, 'the bearer token is not valid');
    return undefined;
  }

  const usersUrl = (request: FastifyRequest) => `http://${request.headers.host}/scim/v2/Users`;

  app.get('/health', () => ({ status: 'ok' }));

  app.get<{ Querystring: { filter?: string } }>('/scim/v2/Users', async (request, reply) => {
    const tenantId = await tenantOf(request, reply);
    if (!tenantId) return reply;
    const userName = /^userName eq "([^"]*)"$/i.exec(request.query.filter ?? '')?.[1];
    if (userName === undefined) return scimError(reply, 400, 'this server only knows filter=userName eq "…"');
    const { rows } = await pool.query<UserRow>(
      `SELECT ${USER_COLUMNS} FROM users WHERE tenant_id = $1 AND lower(user_name) = lower($2)`,
      [tenantId, userName],
    );
    const resources = rows.map((row) => toScim(row, usersUrl(request)));
    return scim(reply, 200, {
      schemas: [LIST_RESPONSE_SCHEMA],
      totalResults: resources.length,
      startIndex: 1,
      itemsPerPage: resources.length,
      Resources: resources,
    });
  });

  app.get<{ Params: { id: string } }>('/scim/v2/Users/:id', async (request, reply) => {
    const tenantId = await tenantOf(request, reply);
    if (!tenantId) return reply;
    if (!UUID.test(request.params.id)) return scimError(reply, 404, 'no such user');
    const { rows } = await pool.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE tenant_id = $1 AND id = $2`, [
      tenantId,
      request.params.id,
    ]);
    const row = rows[0];
    return row ? scim(reply, 200, toScim(row, usersUrl(request))) : scimError(reply, 404, 'no such user');
  });

  app.post<{ Body: Record<string, unknown> }>('/scim/v2/Users', async (request, reply) => {
    const tenantId = await tenantOf(request, reply);
    if (!tenantId) return reply;
    const { password: _password, id: _id, meta: _meta, ...resource } = request.body ?? {};
    if (typeof resource['userName'] !== 'string') return scimError(reply, 400, 'userName is required');
    try {
      const { rows } = await pool.query<UserRow>(
        `INSERT INTO users (tenant_id, user_name, external_id, active, email_values, resource)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${USER_COLUMNS}`,
        [
          tenantId,
          resource['userName'],
          typeof resource['externalId'] === 'string' ? resource['externalId'] : null,
          resource['active'] !== false,
          emailValues(resource['emails']),
          resource,
        ],
      );
      return scim(reply, 201, toScim(rows[0], usersUrl(request)));
    } catch (error) {
      if ((error as { code?: string }).code === '23505')
        return scimError(reply, 409, 'userName is taken', 'uniqueness');
      throw error;
    }
  });

  // Only the operation the benchmark sends: {"op":"replace","value":{"active":…}}.
  app.patch<{ Params: { id: string }; Body: { Operations?: { op?: string; value?: { active?: unknown } }[] } }>(
    '/scim/v2/Users/:id',
    async (request, reply) => {
      const tenantId = await tenantOf(request, reply);
      if (!tenantId) return reply;
      if (!UUID.test(request.params.id)) return scimError(reply, 404, 'no such user');
      const operation = request.body?.Operations?.[0];
      const active = operation?.value?.active;
      if (operation?.op?.toLowerCase() !== 'replace' || typeof active !== 'boolean') {
        return scimError(reply, 400, 'this server only knows replace {active}');
      }
      const { rows } = await pool.query<UserRow>(
        `UPDATE users SET active = $3, resource = jsonb_set(resource, '{active}', to_jsonb($3::boolean)),
                          version = version + 1, updated_at = now()
          WHERE tenant_id = $1 AND id = $2 RETURNING ${USER_COLUMNS}`,
        [tenantId, request.params.id, active],
      );
      const row = rows[0];
      return row ? scim(reply, 200, toScim(row, usersUrl(request))) : scimError(reply, 404, 'no such user');
    },
  );

  return app;
}

function toScim(row: UserRow, usersUrl: string): Record<string, unknown> {
  return {
    ...row.resource,
    id: row.id,
    meta: {
      resourceType: 'User',
      created: row.created_at.toISOString(),
      lastModified: row.updated_at.toISOString(),
      location: `${usersUrl}/${row.id}`,
      version: `W/"${row.version}"`,
    },
  };
}

function emailValues(emails: unknown): string[] {
  if (!Array.isArray(emails)) return [];
  const values = emails.flatMap((email: { value?: unknown } | null) =>
    typeof email?.value === 'string' ? [email.value.toLowerCase()] : [],
  );
  return [...new Set(values)];
}

function scim(reply: Reply, status: number, body: unknown): Reply {
  return reply.code(status).header('content-type', SCIM_CONTENT_TYPE).send(body);
}

function scimError(reply: Reply, status: number, detail: string, scimType?: string): Reply {
  return scim(reply, status, {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
    status: String(status),
    ...(scimType ? { scimType } : {}),
    detail,
  });
}

if (require.main === module) {
  const databaseUrl = process.env.BARE_DATABASE_URL;
  const port = Number(process.env.BARE_PORT);
  if (!databaseUrl || !Number.isInteger(port)) {
    process.stderr.write('BARE_DATABASE_URL and BARE_PORT are required\n');
    process.exit(64);
  }
  const app = buildBareServer(databaseUrl);
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
  app.listen({ port, host: '127.0.0.1' }).then(
    () => process.stderr.write(`bare server listening on port ${port}\n`),
    (error: unknown) => {
      process.stderr.write(`bare server failed to start: ${String(error)}\n`);
      process.exit(1);
    },
  );
}
