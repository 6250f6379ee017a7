import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { OpenAPIObject, OperationObject, ParameterObject, ResponseObject } from '@nestjs/swagger';
import Ajv2020 from 'ajv/dist/2020';
import { ADMIN_API_SUMMARIES } from '../../apps/oidc/src/admin/admin-api.openapi';
import { createOidcApp } from '../../apps/oidc/src/create-oidc-app';
import { PRODUCTS_API_SCOPES } from '../../apps/oidc/src/provider/provider-routes';
import { adminRequests } from '../support/admin-requests';
import { TestApp, startTestApp } from '../support/test-app';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * Validates a document against the official OpenAPI JSON Schemas with
 * @seriousme/openapi-schema-validator, in a child Node: the package is ESM-only,
 * which Jest's CommonJS module system would need to compile first.
 */
async function validateOpenApi(document: unknown): Promise<{ valid: boolean; version: string; errors: unknown }> {
  const script = `
    import { Validator } from '@seriousme/openapi-schema-validator';
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(process.argv[1]));
    process.stdout.write(JSON.stringify({ valid: result.valid, version: validator.version, errors: result.errors ?? null }));
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(document)], {
    cwd: root,
  });
  return JSON.parse(stdout) as { valid: boolean; version: string; errors: unknown };
}

interface DocumentedOperation {
  readonly method: (typeof METHODS)[number];
  readonly path: string;
  readonly op: OperationObject;
}

describe('the OpenAPI document of the admin and products APIs, and its page', () => {
  let gateway: TestApp;
  /** Every route the OIDC app registered, as Fastify saw it. */
  const routes: { method: string; url: string }[] = [];
  let document: OpenAPIObject;
  let operations: DocumentedOperation[];

  const parametersOf = (op: OperationObject): ParameterObject[] =>
    (op.parameters ?? []).map((parameter) =>
      '$ref' in parameter
        ? (document.components!.parameters![parameter.$ref.split('/').pop()!] as ParameterObject)
        : parameter,
    );
  const responseOf = (op: OperationObject, status: string): ResponseObject | undefined => {
    const response = op.responses[status];
    if (!response) return undefined;
    return '$ref' in response
      ? (document.components!.responses![String(response.$ref).split('/').pop()!] as ResponseObject)
      : response;
  };

  beforeAll(async () => {
    gateway = await startTestApp(async (config) => {
      const app = await createOidcApp(config);
      app
        .getHttpAdapter()
        .getInstance()
        .addHook('onRoute', (route) => {
          for (const method of ([] as string[]).concat(route.method)) routes.push({ method, url: route.url });
        });
      return app;
    });
    const response = await gateway.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    document = JSON.parse(response.body) as OpenAPIObject;
    operations = Object.entries(document.paths).flatMap(([path, item]) =>
      METHODS.flatMap((method) => (item[method] ? [{ method, path, op: item[method] }] : [])),
    );
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('is a valid OpenAPI 3.1 document, served without a token', async () => {
    expect(document.openapi).toBe('3.1.0');
    const result = await validateOpenApi(document);
    expect(result).toEqual({ valid: true, version: '3.1', errors: null });
    // The validator does refuse a broken document: the check above means something.
    const broken = await validateOpenApi({ ...document, paths: { '/api/v1/events': { get: { responses: 'none' } } } });
    expect(broken.valid).toBe(false);
    // Every operation can be named by a generated client.
    const ids = operations.map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(operations.length);
    expect(ids.every((id) => typeof id === 'string' && /^[A-Za-z][A-Za-z0-9]*$/.test(id))).toBe(true);
    // Every one-line summary of the admin API names a route that exists.
    expect(Object.keys(ADMIN_API_SUMMARIES).filter((id) => !ids.includes(id))).toEqual([]);
    expect(operations.filter(({ op }) => op.summary).length).toBeGreaterThanOrEqual(
      Object.keys(ADMIN_API_SUMMARIES).length + 6,
    );
  });

  it('describes every route served under /admin/v1 and /api/v1, and only routes that are served', () => {
    const served = routes
      .filter(
        (route) => /^\/(admin|api)\/v1\//.test(route.url) && route.method !== 'HEAD' && route.method !== 'OPTIONS',
      )
      .map((route) => `${route.method} ${route.url.replace(/:(\w+)/g, '{$1}')}`)
      .sort();
    const documented = operations.map(({ method, path }) => `${method.toUpperCase()} ${path}`).sort();
    expect(served.length).toBeGreaterThan(50);
    expect(documented).toEqual(served);
    // Both APIs are there; the pages, sign-in, the portal's and console's JSON and SCIM are not.
    expect(documented.filter((route) => route.includes(' /admin/v1/')).length).toBeGreaterThan(45);
    expect(documented.filter((route) => route.includes(' /api/v1/')).length).toBe(6);
    // The description itself is served where it says.
    expect(routes).toEqual(
      expect.arrayContaining([
        { method: 'GET', url: '/api/openapi.json' },
        { method: 'GET', url: '/api/docs' },
      ]),
    );
  });

  it('states each route’s security: the admin token, or a client-credentials token with the scope the route enforces', async () => {
    const discovery = await gateway.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' });
    expect(discovery.statusCode).toBe(200);
    const schemes = document.components!.securitySchemes as Record<string, any>;
    expect(schemes['adminToken']).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(schemes['clientCredentials'].type).toBe('oauth2');
    expect(schemes['clientCredentials'].flows.clientCredentials.tokenUrl).toBe(
      JSON.parse(discovery.body).token_endpoint,
    );
    expect(Object.keys(schemes['clientCredentials'].flows.clientCredentials.scopes).sort()).toEqual(
      [...PRODUCTS_API_SCOPES].sort(),
    );
    expect(document.servers).toEqual([{ url: gateway.config.publicUrl }]);
    for (const { method, path, op } of operations) {
      const where = `${method.toUpperCase()} ${path}`;
      if (path.startsWith('/admin/')) {
        expect({ where, security: op.security }).toEqual({ where, security: [{ adminToken: [] }] });
        // Without the token: 401, as documented.
        const anonymous = await gateway.app.inject({ method: method.toUpperCase() as 'GET', url: concrete(path) });
        expect({ where, status: anonymous.statusCode }).toEqual({ where, status: 401 });
        expect(responseOf(op, '401')).toBeDefined();
      } else {
        const scopes = op.security!.flatMap((requirement) => requirement['clientCredentials'] ?? []);
        expect({ where, scopes }).toEqual({ where, scopes: [expect.stringMatching(/^(events|directory):read$/)] });
        const statuses = Object.keys(op.responses);
        expect({ where, statuses }).toEqual({ where, statuses: expect.arrayContaining(['200', '400', '401', '403']) });
        expect(op.responses['410'] !== undefined).toBe(path === '/api/v1/events');
      }
    }
  });

  it('documents request bodies with the zod schemas the routes validate with: the schema’s rules are the ones enforced', async () => {
    const admin = adminRequests(gateway.app, gateway.config.adminToken);
    expect((await admin.post('/admin/v1/tenants', { slug: 'acme', name: 'Acme' })).status).toBe(201);
    const createTenant = document.paths['/admin/v1/tenants'].post!;
    const body = (createTenant.requestBody as any).content['application/json'].schema;
    expect(body).toMatchObject({
      type: 'object',
      required: ['slug', 'name'],
      additionalProperties: false,
      properties: { signIn: { enum: ['jit', 'provisioned-only'], default: 'jit' } },
    });
    const withBody = operations.filter(({ op }) => op.requestBody);
    expect(withBody.length).toBeGreaterThan(10);
    for (const { method, path, op } of withBody) {
      const where = `${method.toUpperCase()} ${path}`;
      const schema = (op.requestBody as any).content['application/json'].schema;
      // Every body is an object that refuses fields it does not name: one is a 400, before anything changes.
      expect({ where, additionalProperties: schema.additionalProperties }).toEqual({
        where,
        additionalProperties: false,
      });
      const refused = await admin.send(method.toUpperCase() as 'POST', concrete(path), { notAField: true });
      expect({ where, status: refused.status, code: refused.body?.error?.code }).toEqual({
        where,
        status: 400,
        code: 'invalid_request',
      });
      expect(responseOf(op, '400')).toBeDefined();
    }
    expect((await admin.get('/admin/v1/tenants')).body.tenants).toHaveLength(1);
  });

  it('states each query parameter’s range as the API enforces it, in both APIs', async () => {
    const admin = adminRequests(gateway.app, gateway.config.adminToken);
    await admin.post('/admin/v1/tenants', { slug: 'acme', name: 'Acme' });
    const created = await admin.post('/admin/v1/clients', { name: 'docs', grantTypes: ['client_credentials'] });
    expect(created.status).toBe(201);
    const { clientId, clientSecret } = created.body as { clientId: string; clientSecret: string };
    const tokens = Object.fromEntries(
      await Promise.all(
        PRODUCTS_API_SCOPES.map(async (scope) => [scope, await productToken(clientId, clientSecret, scope)] as const),
      ),
    );
    const get = async (url: string, token: string) =>
      (await gateway.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } })).statusCode;
    let checked = 0;
    for (const { method, path, op } of operations.filter(({ method }) => method === 'get')) {
      const url = concrete(path);
      const scope = op.security!.flatMap((requirement) => requirement['clientCredentials'] ?? [])[0];
      const token = scope ? tokens[scope] : gateway.config.adminToken;
      if (scope) {
        // The documented scope lets the request through (200, or 404 for an unknown id); the other is 403.
        const other = PRODUCTS_API_SCOPES.find((candidate) => candidate !== scope)!;
        expect({ path, status: await get(url, token) }).toEqual({ path, status: path.includes('{id}') ? 404 : 200 });
        expect({ path, status: await get(url, tokens[other]) }).toEqual({ path, status: 403 });
      }
      for (const parameter of parametersOf(op).filter(
        (p) => p.in === 'query' && (p.schema as any)?.type === 'integer',
      )) {
        const schema = parameter.schema as { minimum?: number; maximum?: number };
        const at = (value: number) => get(`${url}?${parameter.name}=${value}`, token);
        const where = `${method.toUpperCase()} ${path} ${parameter.name}`;
        expect({ where, minimum: typeof schema.minimum, maximum: typeof schema.maximum }).toEqual({
          where,
          minimum: 'number',
          maximum: 'number',
        });
        const accepted = parameter.name === 'wait' ? [schema.minimum!] : [schema.minimum!, schema.maximum!]; // (not a 30 s wait)
        for (const value of accepted)
          expect({ where, value, status: await at(value) }).not.toMatchObject({ status: 400 });
        expect({ where, value: schema.maximum! + 1, status: await at(schema.maximum! + 1) }).toMatchObject({
          status: 400,
        });
        expect({ where, value: schema.minimum! - 1, status: await at(schema.minimum! - 1) }).toMatchObject({
          status: 400,
        });
        checked += 1;
      }
    }
    // limit of the events feed, the directory's listings and the admin API's logs and listings; wait of the feed.
    expect(checked).toBeGreaterThanOrEqual(12);
  });

  it('describes the bodies the APIs answer with: real answers match their documented schemas', async () => {
    const admin = adminRequests(gateway.app, gateway.config.adminToken);
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    ajv.addSchema({ $id: 'doc', components: document.components });
    const validated: string[] = [];
    /** Checks a real answer against the schema the document gives for that route and status. */
    const conforms = (method: (typeof METHODS)[number], path: string, answer: { status: number; body: unknown }) => {
      const where = `${method.toUpperCase()} ${path} ${answer.status}`;
      const op = document.paths[path][method]!;
      const schema = responseOf(op, String(answer.status))?.content?.['application/json']?.schema;
      expect({ where, documented: schema !== undefined }).toEqual({ where, documented: true });
      const check = ajv.compile(JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"doc#/components/')));
      expect({ where, errors: check(answer.body) ? null : check.errors }).toEqual({ where, errors: null });
      validated.push(`${method.toUpperCase()} ${path}`);
    };

    // What the write routes answer.
    const tenant = await admin.post('/admin/v1/tenants', {
      slug: 'bodies',
      name: 'Bodies',
      domains: ['bodies.example'],
    });
    conforms('post', '/admin/v1/tenants', tenant);
    const subscription = await admin.post('/admin/v1/subscriptions', {
      name: 'docs',
      url: 'https://receiver.example.com/hook',
      events: ['user.*'],
    });
    conforms('post', '/admin/v1/subscriptions', subscription);
    conforms(
      'post',
      '/admin/v1/subscriptions/{id}/replay',
      await admin.post(`/admin/v1/subscriptions/${subscription.body.id}/replay`, { since: '2026-01-01T00:00:00Z' }),
    );
    const client = await admin.post('/admin/v1/clients', {
      name: 'reader',
      grantTypes: ['client_credentials'],
      tenants: ['bodies'],
    });
    conforms('post', '/admin/v1/clients', client);
    const secret = await admin.post(`/admin/v1/clients/${client.body.clientId}/secret`);
    conforms('post', '/admin/v1/clients/{clientId}/secret', secret);
    const scimToken = await admin.post('/admin/v1/tenants/bodies/scim-tokens', {});
    conforms('post', '/admin/v1/tenants/{slug}/scim-tokens', scimToken);
    const rotation = await admin.post(`/admin/v1/tenants/bodies/scim-tokens/${scimToken.body.id}/rotation`, {});
    conforms('post', '/admin/v1/tenants/{slug}/scim-tokens/{id}/rotation', rotation);
    conforms(
      'post',
      '/admin/v1/tenants/{slug}/scim-tokens/{id}/rotation/complete',
      await admin.post(`/admin/v1/tenants/bodies/scim-tokens/${scimToken.body.id}/rotation/complete`),
    );
    conforms(
      'put',
      '/admin/v1/tenants/{slug}/group-roles',
      await admin.put('/admin/v1/tenants/bodies/group-roles', { rules: [{ group: 'Engineering', roles: ['dev'] }] }),
    );
    conforms(
      'post',
      '/admin/v1/tenants/{slug}/setup-links',
      await admin.post('/admin/v1/tenants/bodies/setup-links', { scopes: ['oidc'] }),
    );
    conforms(
      'post',
      '/admin/v1/tenants/{slug}/domains',
      await admin.post('/admin/v1/tenants/bodies/domains', { domain: 'claimed.example' }),
    );

    // What every documented read answers, for the items made above.
    const token = await productToken(client.body.clientId, secret.body.clientSecret, 'directory:read events:read');
    const ids: Record<string, string> = { slug: 'bodies', id: subscription.body.id, clientId: client.body.clientId };
    for (const { path, op } of operations.filter(({ method }) => method === 'get')) {
      if (!responseOf(op, '200')?.content?.['application/json']?.schema) continue;
      const url = path.startsWith('/admin/')
        ? path.replace(/\{(\w+)\}/g, (_, name: string) => ids[name] ?? 'none')
        : concrete(path);
      const response = await gateway.app.inject({
        method: 'GET',
        url,
        headers: { authorization: `Bearer ${path.startsWith('/admin/') ? gateway.config.adminToken : token}` },
      });
      if (response.statusCode === 200) conforms('get', path, { status: 200, body: JSON.parse(response.body) });
    }
    expect(validated).toEqual(
      expect.arrayContaining([
        'GET /admin/v1/tenants',
        'GET /admin/v1/tenants/{slug}',
        'GET /admin/v1/tenants/{slug}/scim-tokens',
        'GET /admin/v1/subscriptions/{id}',
        'GET /admin/v1/clients/{clientId}',
        'GET /admin/v1/tenants/{slug}/users',
        'GET /admin/v1/tenants/{slug}/group-roles',
        'GET /admin/v1/tenants/{slug}/domains',
        'GET /admin/v1/tenants/{slug}/setup-links',
        'GET /admin/v1/audit',
        'GET /api/v1/events',
        'GET /api/v1/directory/users',
        'GET /api/v1/directory/groups',
      ]),
    );
  });

  it('lets a product team generate a typed client: openapi-typescript’s types type-check a client that calls the API', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gateway-openapi-client-'));
    try {
      await writeFile(join(dir, 'openapi.json'), JSON.stringify(document));
      await run(
        process.execPath,
        [join(root, 'node_modules/openapi-typescript/bin/cli.js'), 'openapi.json', '-o', 'api.d.ts'],
        {
          cwd: dir,
        },
      );
      await writeFile(join(dir, 'client.ts'), CLIENT);
      // One client compiles against the generated types, and one misuse of them does not.
      await writeFile(
        join(dir, 'misuse.ts'),
        "import type { paths } from './api';\n" +
          "type Body = paths['/admin/v1/tenants']['post']['requestBody']['content']['application/json'];\n" +
          "export const body: Body = { name: 'no slug' };\n",
      );
      const tsc = join(root, 'node_modules/typescript/bin/tsc');
      const options = ['--strict', '--target', 'es2022', '--module', 'nodenext', '--skipLibCheck'].concat([
        '--typeRoots',
        join(root, 'node_modules/@types'),
        '--types',
        'node',
      ]);
      const compiled = await run(process.execPath, [tsc, ...options, '--outDir', 'out', 'client.ts'], {
        cwd: dir,
      }).then(
        () => 'compiled',
        (error: { stdout: string }) => error.stdout,
      );
      expect(compiled).toBe('compiled');
      const misuse = await run(process.execPath, [tsc, ...options, '--noEmit', 'misuse.ts'], { cwd: dir }).then(
        () => 'compiled',
        (error: { stdout: string }) => error.stdout,
      );
      expect(misuse).toMatch(/misuse\.ts.*Property 'slug' is missing/);
      // The compiled client calls the running gateway over HTTP.
      await gateway.app.listen(0, '127.0.0.1');
      const base = await gateway.app.getUrl();
      const { stdout } = await run(process.execPath, [join(dir, 'out', 'client.js')], {
        env: { ...process.env, BASE_URL: base.replace('[::1]', '127.0.0.1'), ADMIN_TOKEN: gateway.config.adminToken },
      });
      expect(JSON.parse(stdout)).toEqual({ created: 'generated', listed: expect.arrayContaining(['generated']) });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('renders a readable page from the same document: no script, nothing from another origin, a strict CSP', async () => {
    const response = await gateway.app.inject({ method: 'GET', url: '/api/docs' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    const html = response.body;
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/script-src|unsafe-inline|https?:/);
    expect(csp).toContain("frame-ancestors 'none'");
    // The one inline stylesheet is the one the CSP allows by hash.
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1];
    expect(csp).toContain(`'sha256-${createHash('sha256').update(style).digest('base64')}'`);
    expect(html).not.toMatch(/<script|\son\w+=|\ssrc=|style="/i);
    for (const href of html.matchAll(/href="([^"]*)"/g)) expect(href[1]).toMatch(/^(#[\w-]+|openapi\.json)$/);
    for (const { method, path, op } of operations) {
      expect(html).toContain(`<span class="method">${method.toUpperCase()}</span><code>${path}</code>`);
      expect(html).toContain(`id="${op.operationId}"`);
    }
    for (const name of Object.keys(document.components!.schemas!)) expect(html).toContain(`id="schema-${name}"`);
    const scheme = document.components!.securitySchemes!['clientCredentials'] as any;
    expect(html).toContain(scheme.flows.clientCredentials.tokenUrl);
  });

  /** A path with its parameters filled in: the tenant `acme`, an unknown id. */
  function concrete(path: string): string {
    return path
      .replace('{slug}', 'acme')
      .replace('{domain}', 'acme.example.com')
      .replace(/\{\w+\}/g, '0b7e3a52-3f3c-4c4e-9d55-6b0c7f1f2a11');
  }

  async function productToken(clientId: string, clientSecret: string, scope: string): Promise<string> {
    const response = await gateway.app.inject({
      method: 'POST',
      url: '/oidc/token',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`,
      },
      payload: new URLSearchParams({ grant_type: 'client_credentials', scope }).toString(),
    });
    expect(response.statusCode).toBe(200);
    return (JSON.parse(response.body) as { access_token: string }).access_token;
  }
});

/** A product team's small client, typed only by what openapi-typescript generated from the document. */
const CLIENT = `
import type { components, paths } from './api';

type Tenant = components['schemas']['Tenant'];
type CreateTenant = paths['/admin/v1/tenants']['post']['requestBody']['content']['application/json'];
type TenantList = paths['/admin/v1/tenants']['get']['responses'][200]['content']['application/json'];
type EventsQuery = NonNullable<paths['/api/v1/events']['get']['parameters']['query']>;
type EventsPage = paths['/api/v1/events']['get']['responses'][200]['content']['application/json'];

const base = process.env['BASE_URL']!;
const headers = { authorization: 'Bearer ' + process.env['ADMIN_TOKEN'], 'content-type': 'application/json' };

async function createTenant(body: CreateTenant): Promise<Tenant> {
  const response = await fetch(base + '/admin/v1/tenants', { method: 'POST', headers, body: JSON.stringify(body) });
  if (response.status !== 201) throw new Error('create: ' + response.status);
  return (await response.json()) as Tenant;
}

async function listTenants(): Promise<TenantList> {
  return (await (await fetch(base + '/admin/v1/tenants', { headers })).json()) as TenantList;
}

/** Not called here (it needs a product's token): it shows the feed's types are usable. */
export function eventsUrl(query: EventsQuery): string {
  const search = new URLSearchParams();
  if (query.after !== undefined) search.set('after', query.after);
  if (query.limit !== undefined) search.set('limit', String(query.limit));
  return base + '/api/v1/events?' + search.toString();
}
export function lastSequence(page: EventsPage): number {
  return page.data.reduce((max: number, event) => Math.max(max, event.sequence), 0);
}

async function main(): Promise<void> {
  const tenant = await createTenant({ slug: 'generated', name: 'Generated', signIn: 'jit' });
  const { tenants } = await listTenants();
  process.stdout.write(JSON.stringify({ created: tenant.slug, listed: tenants.map((t) => t.slug) }));
}

void main();
`;
