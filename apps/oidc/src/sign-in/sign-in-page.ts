/** HTML-escapes text for a page. */
function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * A plain page for a person in a browser: what happened, what to do, and a
 * reference id support can find in the logs. No script, nothing from outside.
 */
export function signInPage(page: {
  title: string;
  message: string;
  reference?: string;
  /** A way on from here (a path of this gateway), shown under the message. */
  next?: { href: string; label: string };
}): string {
  const reference = page.reference ? `<p class="ref">Reference: <code>${escape(page.reference)}</code></p>` : '';
  const next = page.next ? `<p><a href="${escape(page.next.href)}">${escape(page.next.label)}</a></p>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(page.title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}.ref{color:#666;font-size:.9rem}</style>
</head>
<body>
<h1>${escape(page.title)}</h1>
<p>${escape(page.message)}</p>
${next}${reference}
</body>
</html>
`;
}

/** Headers of every sign-in page: never cached, never framed, no outside resources. */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
} as const;
