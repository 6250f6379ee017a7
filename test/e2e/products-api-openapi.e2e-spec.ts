import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createOidcApp } from '../../apps/oidc/src/create-oidc-app';
import { PRODUCTS_API_SCOPES } from '../../apps/oidc/src/provider/provider-routes';
import type { OpenApiDocument } from '../../apps/oidc/src/products-api/products-api.openapi';
import { adminRequests } from '../support/admin-requests';
import { TestApp, startTestApp } from '../support/test-app';

const run = promisify(execFile);

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
    cwd: join(__dirname, '..', '..'),
  });
  return JSON.parse(stdout) as { valid: boolean; version: string; errors: unknown };
}

describe('products API: the OpenAPI document and its page', () => {
  let gateway: TestApp;
  /** Every route the OIDC app registered, as Fastify saw it. */
  const routes: { method: string; url: string }[] = [];
  let document: OpenApiDocument;

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
    document = JSON.parse(response.body) as OpenApiDocument;
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
  });

  it('describes every route served under /api/v1, and no other', () => {
    const served = routes
      .filter((route) => route.url.startsWith('/api/v1') && route.method !== 'HEAD' && route.method !== 'OPTIONS')
      .map((route) => `${route.method} ${route.url.replace(/:(\w+)/g, '{$1}')}`)
      .sort();
    const documented = Object.entries(document.paths)
      .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    expect(served.length).toBeGreaterThan(0);
    expect(documented).toEqual(served);
    // The description itself is served where it says.
    expect(routes).toEqual(
      expect.arrayContaining([
        { method: 'GET', url: '/api/openapi.json' },
        { method: 'GET', url: '/api/docs' },
      ]),
    );
  });

  it('names the token endpoint of the provider’s discovery, its scopes, and the errors the API gives', async () => {
    const discovery = await gateway.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' });
    expect(discovery.statusCode).toBe(200);
    const scheme = document.components.securitySchemes['clientCredentials'] as any;
    expect(scheme.type).toBe('oauth2');
    expect(scheme.flows.clientCredentials.tokenUrl).toBe(JSON.parse(discovery.body).token_endpoint);
    expect(Object.keys(scheme.flows.clientCredentials.scopes).sort()).toEqual([...PRODUCTS_API_SCOPES].sort());
    expect(document.servers).toEqual([{ url: gateway.config.publicUrl }]);
    for (const [path, item] of Object.entries(document.paths)) {
      const statuses = Object.keys(item.get.responses);
      expect({ path, statuses }).toEqual({ path, statuses: expect.arrayContaining(['200', '400', '401', '403']) });
      expect(item.get.responses['410'] !== undefined).toBe(path === '/api/v1/events');
    }
    expect(Object.keys(document.components.schemas)).toEqual(expect.arrayContaining(['Event', 'User', 'Group']));
  });

  it('states each route’s scope, limits and ranges as the API enforces them', async () => {
    const admin = adminRequests(gateway.app, gateway.config.adminToken);
    const created = await admin.post('/admin/v1/clients', { name: 'docs', grantTypes: ['client_credentials'] });
    expect(created.status).toBe(201);
    const { clientId, clientSecret } = created.body as { clientId: string; clientSecret: string };
    const tokenFor = async (scope: string): Promise<string> => {
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
    };
    const tokens = Object.fromEntries(
      await Promise.all(PRODUCTS_API_SCOPES.map(async (scope) => [scope, await tokenFor(scope)] as const)),
    );
    const get = async (url: string, token: string) =>
      (await gateway.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } })).statusCode;
    const someId = '0b7e3a52-3f3c-4c4e-9d55-6b0c7f1f2a11';

    for (const [path, item] of Object.entries(document.paths)) {
      const url = path.replace('{id}', someId);
      const [scope] = item.get.security.flatMap((requirement) => Object.values(requirement).flat());
      const other = PRODUCTS_API_SCOPES.find((candidate) => candidate !== scope)!;
      // The documented scope lets the request through (200, or 404 for an unknown id); the other is 403.
      expect({ path, status: await get(url, tokens[scope]) }).toEqual({
        path,
        status: path.includes('{id}') ? 404 : 200,
      });
      expect({ path, status: await get(url, tokens[other]) }).toEqual({ path, status: 403 });
      // Each documented integer range is the one enforced: its bounds pass, one past them is 400.
      const parameters = item.get.parameters.map((parameter) =>
        '$ref' in parameter ? document.components.parameters[parameter.$ref.split('/').pop()!] : parameter,
      );
      for (const parameter of parameters.filter((p) => p.in === 'query' && p.schema['type'] === 'integer')) {
        const [min, max] = [Number(parameter.schema['minimum']), Number(parameter.schema['maximum'])];
        const at = (value: number) => get(`${url}?${parameter.name}=${value}`, tokens[scope]);
        const accepted = parameter.name === 'wait' ? [min] : [min, max]; // (not a 30 s wait)
        for (const value of accepted)
          expect({ path, value, status: await at(value) }).not.toMatchObject({ status: 400 });
        expect({ path, value: max + 1, status: await at(max + 1) }).toEqual({ path, value: max + 1, status: 400 });
        expect({ path, value: min - 1, status: await at(min - 1) }).toEqual({ path, value: min - 1, status: 400 });
      }
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
    for (const [path, item] of Object.entries(document.paths)) {
      expect(html).toContain(`<code>${path}</code>`);
      expect(html).toContain(`id="${item.get.operationId}"`);
    }
    for (const name of Object.keys(document.components.schemas)) expect(html).toContain(`id="schema-${name}"`);
    const scheme = document.components.securitySchemes['clientCredentials'] as any;
    expect(html).toContain(scheme.flows.clientCredentials.tokenUrl);
  });
});
