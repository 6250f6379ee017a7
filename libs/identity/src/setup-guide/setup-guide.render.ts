import { createHash } from 'node:crypto';
import type { GuideBlock, Inline, SetupGuide, Text } from './setup-guide';

// What can start markup anywhere in a line (emphasis, code, links, raw HTML, entities, GFM tables and
// strikethrough): escaped with a backslash in plain text. Other punctuation stays readable as it is.
const MARKDOWN_SPECIAL = /[\\`*_[\]<>|&~]/g;

function escapeMarkdown(text: string): string {
  // One line per block: a line break in a name would end a heading or a table row.
  return text.replace(/\s*[\r\n]+\s*/g, ' ').replace(MARKDOWN_SPECIAL, (char) => `\\${char}`);
}

/** Text at the start of a block must not read as a heading, list, quote or rule. */
function escapeLineStart(text: string): string {
  return text.replace(/^([#+\-=])/, '\\$1').replace(/^(\d+)([.)])/, '$1\\$2');
}

function markdownText(text: Text): string {
  return text.map(markdownInline).join('');
}

function markdownInline(inline: Inline): string {
  if (typeof inline === 'string') return escapeMarkdown(inline);
  if ('ui' in inline) return `**${escapeMarkdown(inline.ui)}**`;
  // CommonMark §6.1: a code span is fenced by a backtick run longer than any inside it (padded when it touches one).
  const longest = Math.max(0, ...(inline.code.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = inline.code.startsWith('`') || inline.code.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${inline.code}${pad}${fence}`;
}

function markdownBlock(block: GuideBlock): string {
  switch (block.kind) {
    case 'paragraph':
      return escapeLineStart(markdownText(block.text));
    case 'steps':
      return block.items.map((item, i) => `${i + 1}. ${markdownText(item)}`).join('\n');
    case 'table': {
      // GFM tables: a pipe ends a cell even inside a code span, so there it is escaped too.
      const cell = (text: Text) =>
        text
          .map((inline) =>
            typeof inline === 'object' && 'code' in inline
              ? markdownInline(inline).replace(/\|/g, '\\|')
              : markdownInline(inline),
          )
          .join('');
      return [
        `| ${block.head.map((h) => cell([h])).join(' | ')} |`,
        '| --- | --- |',
        ...block.rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
      ].join('\n');
    }
  }
}

/** The guide as Markdown (CommonMark with a GFM table), every value in a code span. */
export function renderSetupGuideMarkdown(guide: SetupGuide): string {
  const parts = [`# ${markdownText([guide.title])}`, escapeLineStart(markdownText(guide.intro))];
  for (const section of guide.sections) {
    parts.push(`## ${markdownText([section.title])}`, ...section.blocks.map(markdownBlock));
  }
  return `${parts.join('\n\n')}\n`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function htmlText(text: Text): string {
  return text
    .map((inline) =>
      typeof inline === 'string'
        ? escapeHtml(inline)
        : 'ui' in inline
          ? `<strong>${escapeHtml(inline.ui)}</strong>`
          : `<code>${escapeHtml(inline.code)}</code>`,
    )
    .join('');
}

function htmlBlock(block: GuideBlock): string {
  switch (block.kind) {
    case 'paragraph':
      return `<p>${htmlText(block.text)}</p>`;
    case 'steps':
      return `<ol>\n${block.items.map((item) => `<li>${htmlText(item)}</li>`).join('\n')}\n</ol>`;
    case 'table':
      return [
        '<table>',
        `<thead><tr>${block.head.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr></thead>`,
        '<tbody>',
        ...block.rows.map(([a, b]) => `<tr><th scope="row">${htmlText(a)}</th><td>${htmlText(b)}</td></tr>`),
        '</tbody>',
        '</table>',
      ].join('\n');
  }
}

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#1f2328;line-height:1.5}' +
  'h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.25rem}' +
  'code{font-family:ui-monospace,monospace;font-size:.9em;background:#f6f8fa;padding:.1em .3em;border-radius:3px;' +
  'word-break:break-all}table{border-collapse:collapse;width:100%;margin:1rem 0}' +
  'th,td{text-align:left;vertical-align:top;padding:.4rem .5rem;border:1px solid #d0d7de}thead th{background:#f6f8fa}' +
  'li{margin:.3rem 0}@media print{body{margin:0;max-width:none}h2{break-after:avoid}table,li{break-inside:avoid}' +
  'code{background:none;padding:0}}';

/** Headers of the printable guide: no script at all, its one style block allowed by hash, never framed or cached. */
export const SETUP_GUIDE_HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
} as const;

/** The guide as a printable HTML page; everything in it is escaped. */
export function renderSetupGuideHtml(guide: SetupGuide): string {
  const sections = guide.sections
    .map(
      (section) =>
        `<section>\n<h2>${escapeHtml(section.title)}</h2>\n${section.blocks.map(htmlBlock).join('\n')}\n</section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(guide.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${escapeHtml(guide.title)}</h1>
<p>${htmlText(guide.intro)}</p>
${sections}
</main>
</body>
</html>
`;
}
