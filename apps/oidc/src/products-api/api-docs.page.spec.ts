import { API_DOCS_CSP, renderApiDocs } from './api-docs.page';
import { productsApiDocument } from './products-api.openapi';

describe('renderApiDocs', () => {
  const document = productsApiDocument('https://gateway.example.com');

  it('lists every operation with its parameters, responses and scope', () => {
    const html = renderApiDocs(document);
    for (const [path, item] of Object.entries(document.paths)) {
      expect(html).toContain(`<code>${path}</code>`);
      expect(html).toContain(`<section id="${item.get.operationId}">`);
    }
    expect(html).toContain('<code>limit</code>');
    expect(html).toContain('integer <span class="muted">(≥ 1, ≤ 1000, default 100)</span>');
    expect(html).toContain('<a href="#schema-EventsPage">EventsPage</a>');
    expect(html).toContain('<code>https://gateway.example.com/oidc/token</code>');
    expect(html).toContain('<code>previous</code> <span class="muted">optional</span>');
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
