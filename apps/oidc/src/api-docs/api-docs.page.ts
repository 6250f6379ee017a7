import { createHash } from 'node:crypto';
import type { OpenAPIObject, OperationObject, ResponseObject, SecuritySchemeObject } from '@nestjs/swagger';
import type { JsonSchema } from './zod-json-schema';

/*
 * The readable page of the admin and products APIs, rendered on the server from the same
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

type Operation = OperationObject & { readonly operationId: string };
type Parameter = { name: string; in: string; required?: boolean; description?: string; schema?: JsonSchema };

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** Renders the document as one self-contained HTML page; every text from the document is escaped. */
export function renderApiDocs(document: OpenAPIObject): string {
  const operations = Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const op = (item as Record<string, Operation | undefined>)[method];
      return op ? [{ path, method, op }] : [];
    }),
  );
  const tags = [...new Set(operations.map(({ op }) => op.tags?.[0] ?? ''))];
  const tagDescriptions = new Map((document.tags ?? []).map((tag) => [tag.name, tag.description ?? '']));
  return [
    '<!doctype html><html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escape(document.info.title)}</title><style>${STYLE}</style></head><body><main>`,
    `<h1>${escape(document.info.title)}</h1><p>${prose(document.info.description ?? '')}</p>`,
    `<p class="muted">OpenAPI ${escape(document.openapi)} document: <a href="openapi.json">/api/openapi.json</a>`,
    ` · server: <code>${escape(document.servers?.[0]?.url ?? '')}</code></p>`,
    authorization(document),
    '<h2>Routes</h2><nav><ul>',
    ...operations.map(
      ({ path, method, op }) =>
        `<li><a href="#${escape(op.operationId)}">${method.toUpperCase()} <code>${escape(path)}</code></a> ${escape(op.summary ?? '')}</li>`,
    ),
    '</ul></nav>',
    ...tags.flatMap((tag) => [
      `<h2 id="tag-${escape(tag.replace(/[^\w-]+/g, '-'))}">${escape(tag)}</h2>`,
      tagDescriptions.get(tag) ? `<p>${prose(tagDescriptions.get(tag)!)}</p>` : '',
      ...operations
        .filter(({ op }) => (op.tags?.[0] ?? '') === tag)
        .map(({ path, method, op }) => operation(document, path, method, op)),
    ]),
    '<h2>Schemas</h2>',
    ...Object.entries(document.components?.schemas ?? {}).map(([name, schema]) =>
      schemaSection(name, schema as JsonSchema),
    ),
    '</main></body></html>',
  ].join('\n');
}

function authorization(document: OpenAPIObject): string {
  const schemes = Object.entries(document.components?.securitySchemes ?? {}).map(([name, scheme]) => {
    const { type, description, flows } = scheme as SecuritySchemeObject;
    const head = `<p><code>${escape(name)}</code>: ${prose(description ?? '')}</p>`;
    if (type !== 'oauth2' || !flows?.clientCredentials) {
      return `${head}<p>Send it as <code>Authorization: Bearer …</code>.</p>`;
    }
    const flow = flows.clientCredentials;
    return [
      head,
      `<p>Token URL: <code>${escape(flow.tokenUrl ?? '')}</code> (<code>grant_type=client_credentials</code>); send `,
      'the token as <code>Authorization: Bearer …</code>.</p>',
      table(
        ['Scope', 'Grants'],
        Object.entries(flow.scopes ?? {}).map(([scope, what]) => [
          `<code>${escape(scope)}</code>`,
          prose(String(what)),
        ]),
      ),
    ].join('');
  });
  return `<h2>Authorization</h2>${schemes.join('')}`;
}

function operation(document: OpenAPIObject, path: string, method: string, op: Operation): string {
  const security = (op.security ?? []).flatMap((requirement) =>
    Object.entries(requirement).map(([scheme, scopes]) =>
      scopes.length > 0
        ? `<code>${escape(scheme)}</code> with ${scopes.map((scope) => `<code>${escape(scope)}</code>`).join(', ')}`
        : `<code>${escape(scheme)}</code>`,
    ),
  );
  const parameters = (op.parameters ?? []).map((parameter) =>
    '$ref' in parameter ? resolve<Parameter>(document, parameter.$ref) : (parameter as Parameter),
  );
  const body = op.requestBody && 'content' in op.requestBody ? op.requestBody.content['application/json'] : undefined;
  const responses = Object.entries(op.responses).map(([status, response]) => {
    const resolved =
      response && '$ref' in response
        ? resolve<ResponseObject>(document, String(response.$ref))
        : (response as ResponseObject);
    const schema = resolved.content?.['application/json']?.schema as JsonSchema | undefined;
    return [`<code>${escape(status)}</code>`, prose(resolved.description), schema ? typeOf(schema) : ''];
  });
  return [
    `<section id="${escape(op.operationId)}"><h3><span class="method">${method.toUpperCase()}</span><code>${escape(path)}</code></h3>`,
    op.summary || op.description
      ? `<p>${op.summary ? `<strong>${escape(op.summary)}</strong>. ` : ''}${prose(op.description ?? '')}</p>`
      : '',
    `<p class="muted">Authorization: ${security.join(' or ') || 'none'}`,
    ` · operationId <code>${escape(op.operationId)}</code></p>`,
    parameters.length > 0
      ? table(
          ['Parameter', 'In', 'Type', 'Description'],
          parameters.map((p) => [
            `<code>${escape(p.name)}</code>${p.required ? ' <span class="muted">required</span>' : ''}`,
            escape(p.in),
            p.schema ? typeOf(p.schema) : '',
            prose(p.description ?? ''),
          ]),
        )
      : '',
    body?.schema ? bodySection(body.schema as JsonSchema) : '',
    table(['Status', 'Meaning', 'Body'], responses),
    '</section>',
  ].join('');
}

/** A request body: its fields, or its type when it is not an object with fields. */
function bodySection(schema: JsonSchema): string {
  const rows = properties(schema, '');
  return `<p class="muted">JSON body: ${rows.length > 0 ? '' : typeOf(schema)}</p>${
    rows.length > 0 ? table(['Field', 'Type', 'Description'], rows) : ''
  }`;
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
  for (const union of ['anyOf', 'oneOf']) {
    if (Array.isArray(schema[union])) return (schema[union] as JsonSchema[]).map(typeOf).join(' | ');
  }
  if (schema['const'] !== undefined) return `<code>${escape(JSON.stringify(schema['const']))}</code>`;
  if (Array.isArray(schema['enum'])) {
    return (schema['enum'] as unknown[]).map((value) => `<code>${escape(String(value))}</code>`).join(' | ');
  }
  if (schema['type'] === 'object' && schema['properties']) {
    const fields = Object.entries(schema['properties'] as Record<string, JsonSchema>);
    return `{ ${fields.map(([name, field]) => `${escape(name)}: ${typeOf(field)}`).join(', ')} }`;
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

function resolve<T>(document: OpenAPIObject, pointer: string): T {
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
