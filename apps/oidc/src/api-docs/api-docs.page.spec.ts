import type { OpenAPIObject } from '@nestjs/swagger';
import { adminApiComponents } from '../admin/admin-api.openapi';
import { productsApiComponents } from '../products-api/products-api.openapi';
import { API_DOCS_CSP, renderApiDocs } from './api-docs.page';

describe('renderApiDocs', () => {
  const products = productsApiComponents('https://gateway.example.com');
  const admin = adminApiComponents();
  const document = {
    openapi: '3.1.0',
    info: { title: 'Identity gateway API', version: '1', description: 'Both APIs.' },
    servers: [{ url: 'https://gateway.example.com' }],
    tags: products.tags,
    components: {
      securitySchemes: { ...admin.securitySchemes, ...products.securitySchemes },
      responses: { ...admin.responses, ...products.responses },
      schemas: { ...admin.schemas, ...products.schemas },
    },
    paths: {
      '/api/v1/events': {
        get: {
          operationId: 'listEvents',
          tags: ['events'],
          summary: 'Read the events feed after a cursor',
          security: [{ clientCredentials: ['events:read'] }],
          parameters: [
            {
              name: 'limit',
              in: 'query',
              required: false,
              schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
            },
          ],
          responses: {
            '200': {
              description: 'A page of events.',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/EventsPage' } } },
            },
            '403': { $ref: '#/components/responses/Forbidden' },
          },
        },
      },
      '/admin/v1/tenants': {
        post: {
          operationId: 'tenantsCreate',
          tags: ['admin: tenants'],
          security: [{ adminToken: [] }],
          requestBody: {
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['slug'],
                  properties: { slug: { type: 'string' }, signIn: { enum: ['jit', 'provisioned-only'] } },
                },
              },
            },
          },
          responses: {
            '201': { description: 'The tenant.' },
            '401': { $ref: '#/components/responses/AdminUnauthorized' },
          },
        },
      },
    },
  } as unknown as OpenAPIObject;

  it('lists every operation with its method, parameters, body, responses and authorization', () => {
    const html = renderApiDocs(document);
    expect(html).toContain('<span class="method">GET</span><code>/api/v1/events</code>');
    expect(html).toContain('<span class="method">POST</span><code>/admin/v1/tenants</code>');
    expect(html).toContain('<section id="listEvents">');
    expect(html).toContain('<section id="tenantsCreate">');
    expect(html).toContain('integer <span class="muted">(≥ 1, ≤ 1000, default 100)</span>');
    expect(html).toContain('<a href="#schema-EventsPage">EventsPage</a>');
    expect(html).toContain('<code>clientCredentials</code> with <code>events:read</code>');
    expect(html).toContain('Authorization: <code>adminToken</code>');
    expect(html).toContain('<code>slug</code>');
    expect(html).toContain('<code>jit</code> | <code>provisioned-only</code>');
    expect(html).toContain('<code>https://gateway.example.com/oidc/token</code>');
    expect(html).toContain('<code>previous</code> <span class="muted">optional</span>');
    expect(html).toContain('id="schema-Tenant"');
  });

  it('escapes every text of the document', () => {
    const hostile = {
      ...document,
      info: { ...document.info, title: '<script>alert(1)</script>', description: 'a "quoted" `<b>` & more' },
    };
    const html = renderApiDocs(hostile);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('a &quot;quoted&quot; <code>&lt;b&gt;</code> &amp; more');
  });

  it('allows no script and nothing from elsewhere', () => {
    expect(API_DOCS_CSP).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; /);
    expect(API_DOCS_CSP).not.toContain('script-src');
  });
});
