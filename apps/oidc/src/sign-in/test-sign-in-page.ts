import { createHash } from 'node:crypto';
import type { TestSignInResult } from './test-sign-ins';

/** Where the page's one script is served from (same origin: `script-src 'self'`, nothing inline). */
export const TEST_SIGN_IN_SCRIPT_PATH = '/auth/test-sign-in.js';

/**
 * Tells the portal that opened the popup that its test ended (same origin only), and
 * closes the popup on the button. Served as a file: the page's CSP allows no inline script.
 */
export const TEST_SIGN_IN_SCRIPT = `(function () {
  var page = document.getElementById('test-sign-in');
  var id = page && page.getAttribute('data-id');
  if (id && window.opener) {
    window.opener.postMessage({ type: 'gateway:test-sign-in', id: id }, window.location.origin);
  }
  var close = document.getElementById('close');
  if (close) close.addEventListener('click', function () { window.close(); });
})();
`;

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1f2328}' +
  'h1{font-size:1.4rem}.ok{color:#1a7f37}.bad{color:#b42318}' +
  'table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{text-align:left;vertical-align:top;' +
  'padding:.35rem .5rem;border-bottom:1px solid #d0d7de;word-break:break-all}th{width:30%;font-weight:600}' +
  'code{font-size:.9rem}button{font:inherit;padding:.4rem 1rem}';

// CSP3 lets a hash allow exactly this <style> block, so the page needs no 'unsafe-inline'.
const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

/** Headers of the test's result page: never cached or framed; its own script and style only. */
export const TEST_SIGN_IN_PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy':
    `default-src 'none'; script-src 'self'; style-src 'sha256-${STYLE_HASH}'; ` +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
} as const;

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function claimValue(value: unknown): string {
  return escape(typeof value === 'string' ? value : JSON.stringify(value));
}

/** The page the popup ends on: what the IdP sent, or why the test failed. Everything from the IdP is escaped. */
export function testSignInPage(id: string, result: TestSignInResult): string {
  const body =
    result.status === 'succeeded'
      ? `<h1 class="ok">Test sign-in succeeded</h1>
<p>Your identity provider sent these claims. No user, session or event was created.</p>
<table><thead><tr><th scope="col">Claim</th><th scope="col">Value</th></tr></thead><tbody>
${Object.entries(result.claims ?? {})
  .map(([name, value]) => `<tr><th scope="row"><code>${escape(name)}</code></th><td>${claimValue(value)}</td></tr>`)
  .join('\n')}
</tbody></table>`
      : `<h1 class="bad">Test sign-in failed</h1>
<p>${escape(result.error ?? 'The identity provider did not complete the sign-in.')}</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${result.status === 'succeeded' ? 'Test sign-in succeeded' : 'Test sign-in failed'}</title>
<style>${STYLE}</style>
</head>
<body>
<main id="test-sign-in" data-id="${escape(id)}" data-status="${escape(result.status)}">
${body}
<p>You can close this window: the setup portal shows the result too.</p>
<button type="button" id="close">Close window</button>
</main>
<script src="${TEST_SIGN_IN_SCRIPT_PATH}"></script>
</body>
</html>
`;
}
