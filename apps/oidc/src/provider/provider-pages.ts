import type { KoaContextWithOIDC } from 'oidc-provider';
import { PAGE_HEADERS } from '../sign-in/sign-in-page';

/** HTML-escapes text for a page. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}' +
  'h1{font-size:1.4rem}.ref{color:#666;font-size:.9rem}input{font-size:1rem;padding:.4rem;width:100%;box-sizing:border-box}' +
  'button{font-size:1rem;padding:.4rem 1rem;margin-top:.8rem}';

/** A plain page of the gateway's sign-in for products: no script, nothing from outside. `body` is HTML. */
export function providerPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`;
}

/** Asks for the work email that picks the organization. */
export function emailPage(action: string, clientName: string | undefined, problem?: string): string {
  const product = clientName ? ` to ${escapeHtml(clientName)}` : '';
  return providerPage(
    'Sign in',
    (problem ? `<p id="problem">${escapeHtml(problem)}</p>` : '') +
      `<p>Enter your work email to sign in${product}.</p>` +
      `<form method="get" action="${escapeHtml(action)}">` +
      '<input id="email" name="email" type="email" autocomplete="email" required autofocus placeholder="you@company.com">' +
      '<button id="continue" type="submit">Continue</button></form>',
  );
}

/** The title of the provider's error page for a request to this route: what failed, said plainly. */
export function errorPageTitle(route: string | undefined): string {
  if (route === undefined) return 'Request failed';
  if (route.startsWith('end_session')) return 'Sign-out failed';
  if (route === 'authorization' || route === 'resume') return 'Sign-in failed';
  return 'Request failed';
}

/** Sends a page from inside the provider (Koa), with the sign-in pages' headers. */
export function sendProviderPage(ctx: KoaContextWithOIDC, status: number, html: string): void {
  for (const [name, value] of Object.entries(PAGE_HEADERS)) ctx.set(name, value);
  ctx.status = status;
  ctx.body = html;
}
