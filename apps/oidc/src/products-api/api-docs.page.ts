import { createHash } from 'node:crypto';
import type { JsonSchema, OpenApiDocument, OpenApiOperation, OpenApiParameter } from './products-api.openapi';

/*
 * The readable page of the products API, rendered on the server from the same
 * OpenAPI document that /api/openapi.json serves. Written here rather than
 * served with Swagger UI, Redoc or Scalar: those are browser applications that
 * need scripts (and, mostly, a CDN); this page needs none, so its CSP allows no
 * script at all and only the one stylesheet below, by hash.
 */

const STYLE = `
body{font:15px/1.5 system-ui,sans-serif;color:#1d2330;margin:0;background:#f7f8fa}
main{max-width:980px;margin:0 auto;padding:24px 20px 60px}
h1{font-size:26px;margin:0 0 8px}h2{margin-top:40px;border-bottom:1px solid #d8dce3;padding-bottom:4px}
h3{font-size:17px;margin:28px 0 6px}section{background:#fff;border:1px solid #e1e4ea;border-radius:6px;padding:4px 16px 12px;margin:14px 0}
code{font:13px ui-monospace,Menlo,monospace;background:#eef0f4;border-radius:3px;padding:1px 4px}
table{border-collapse:collapse;width:100%;margin:6px 0 10px;font-size:14px}
th,td{text-align:left;vertical-align:top;border-top:1px solid #e6e8ee;padding:5px 8px}th{background:#f2f4f7}
.method{display:inline-block;font:bold 12px ui-monospace,monospace;background:#1f6feb;color:#fff;border-radius:3px;padding:2px 6px;margin-right:6px}
.muted{color:#5b6472}nav ul{columns:2;padding-left:18px}a{color:#0b57d0}
`;

/** The page's Content-Security-Policy: nothing but its own inline stylesheet; no script, no other origin, no framing. */
export const API_DOCS_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Renders the document as one self-contained HTML page; every text from the document is escaped. */
export function renderApiDocs(document: OpenApiDocument): string {
  const operations = Object.entries(document.paths).map(([path, item]) => ({ path, op: item.get }));
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escape(document.info.title)}</title><style>${STYLE}</style></head><body><main>`,
    `<h1>${escape(document.info.title)}</h1><p>${prose(document.info.description)}</p>`,
    `<p class="muted">OpenAPI ${escape(document.openapi)} document: <a href="openapi.json">/api/openapi.json</a>`,
    ` · server: <code>${escape(document.servers[0]?.url ?? '')}</code></p>`,
    authorization(document),
    '<h2>Routes</h2><nav><ul>',
    ...operations.map(
      ({ path, op }) =>
        `<li><a href="#${escape(op.operationId)}">GET <code>${escape(path)}</code></a> ${escape(op.summary)}</li>`,
    ),
    '</ul></nav>',
    ...operations.map(({ path, op }) => operation(document, path, op)),
    '<h2>Schemas</h2>',
    ...Object.entries(document.components.schemas).map(([name, schema]) => schemaSection(name, schema)),
    '</main></body></html>',
  ].join('\n');
}

function authorization(document: OpenApiDocument): string {
  return Object.entries(document.components.securitySchemes)
    .map(([name, scheme]) => {
      const flow = (scheme['flows'] as { clientCredentials: { tokenUrl: string; scopes: Record<string, string> } })
        .clientCredentials;
      return [
        `<h2>Authorization</h2><p><code>${escape(name)}</code>: ${prose(String(scheme['description']))}</p>`,
        `<p>Token URL: <code>${escape(flow.tokenUrl)}</code> (<code>grant_type=client_credentials</code>); send `,
        'the token as <code>Authorization: Bearer …</code>.</p>',
        table(
          ['Scope', 'Grants'],
          Object.entries(flow.scopes).map(([scope, what]) => [`<code>${escape(scope)}</code>`, prose(what)]),
        ),
      ].join('');
    })
    .join('');
}

function operation(document: OpenApiDocument, path: string, op: OpenApiOperation): string {
  const scopes = op.security.flatMap((requirement) => Object.values(requirement).flat());
  const parameters = op.parameters.map((parameter) =>
    '$ref' in parameter ? resolve<OpenApiParameter>(document, parameter.$ref) : parameter,
  );
  const responses = Object.entries(op.responses).map(([status, response]) => {
    const resolved = typeof response['$ref'] === 'string' ? resolve<JsonSchema>(document, response['$ref']) : response;
    const content = resolved['content'] as Record<string, { schema: JsonSchema }> | undefined;
    const schema = content?.['application/json']?.schema;
    return [`<code>${escape(status)}</code>`, prose(String(resolved['description'])), schema ? typeOf(schema) : ''];
  });
  return [
    `<section id="${escape(op.operationId)}"><h3><span class="method">GET</span><code>${escape(path)}</code></h3>`,
    `<p><strong>${escape(op.summary)}</strong>. ${prose(op.description)}</p>`,
    `<p class="muted">Scope: ${scopes.map((scope) => `<code>${escape(scope)}</code>`).join(', ')}`,
    ` · operationId <code>${escape(op.operationId)}</code></p>`,
    parameters.length > 0
      ? table(
          ['Parameter', 'In', 'Type', 'Description'],
          parameters.map((p) => [
            `<code>${escape(p.name)}</code>${p.required ? ' <span class="muted">required</span>' : ''}`,
            escape(p.in),
            typeOf(p.schema),
            prose(p.description),
          ]),
        )
      : '',
    table(['Status', 'Meaning', 'Body'], responses),
    '</section>',
  ].join('');
}

function schemaSection(name: string, schema: JsonSchema): string {
  const rows = properties(schema, '');
  return [
    `<section id="schema-${escape(name)}"><h3>${escape(name)}</h3>`,
    typeof schema['description'] === 'string' ? `<p>${prose(schema['description'])}</p>` : '',
    rows.length > 0 ? table(['Field', 'Type', 'Description'], rows) : `<p>${typeOf(schema)}</p>`,
    '</section>',
  ].join('');
}

/** The rows of an object schema's fields, nested objects flattened to dotted names. */
function properties(schema: JsonSchema, prefix: string): string[][] {
  const fields = (schema['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema['required'] ?? []) as string[]);
  return Object.entries(fields).flatMap(([field, sub]) => [
    [
      `<code>${escape(prefix + field)}</code>${required.has(field) ? '' : ' <span class="muted">optional</span>'}`,
      typeOf(sub),
      typeof sub['description'] === 'string' ? prose(sub['description']) : '',
    ],
    ...(sub['properties'] ? properties(sub, `${prefix}${field}.`) : []),
  ]);
}

/** A short, readable type: a link for a reference, `a | b` for a union, with its constraints. */
function typeOf(schema: JsonSchema): string {
  if (typeof schema['$ref'] === 'string') {
    const name = schema['$ref'].split('/').pop() ?? '';
    return `<a href="#schema-${escape(name)}">${escape(name)}</a>`;
  }
  if (Array.isArray(schema['allOf'])) return (schema['allOf'] as JsonSchema[]).map(typeOf).join(' &amp; ');
  if (Array.isArray(schema['enum'])) {
    return (schema['enum'] as unknown[]).map((value) => `<code>${escape(String(value))}</code>`).join(' | ');
  }
  const types = ([] as unknown[]).concat(schema['type'] ?? 'any').map(String);
  const base = types
    .map((type) =>
      type === 'array' && schema['items'] ? `array of ${typeOf(schema['items'] as JsonSchema)}` : escape(type),
    )
    .join(' | ');
  const note = (keyword: string, label: (value: string) => string): string =>
    schema[keyword] === undefined ? '' : label(JSON.stringify(schema[keyword]).replace(/^"|"$/g, ''));
  const notes = [
    note('format', (value) => `format ${value}`),
    note('minimum', (value) => `≥ ${value}`),
    note('maximum', (value) => `≤ ${value}`),
    note('maxLength', (value) => `at most ${value} characters`),
    note('default', (value) => `default ${value}`),
  ].filter(Boolean);
  return notes.length > 0 ? `${base} <span class="muted">(${escape(notes.join(', '))})</span>` : base;
}

function table(headings: readonly string[], rows: readonly (readonly string[])[]): string {
  const head = headings.map((heading) => `<th>${escape(heading)}</th>`).join('');
  const body = rows.map((row) => `<tr>${row.map((cell) => `<td>${cell}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function resolve<T>(document: OpenApiDocument, pointer: string): T {
  // Only local references (#/components/…), the only kind this document makes.
  return pointer
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], document) as T;
}

/** Escaped text with `code` spans, the one markup the document's descriptions use. */
function prose(text: string): string {
  return escape(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function escape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
