/**
 * Tokens of the SCIM filter language (RFC 7644 §3.4.2.2) and of PATCH paths
 * (RFC 7644 §3.5.2).
 *
 * The lexer is lazy (one token at a time) so that an error is reported with the
 * error type of the grammar rule that asked for the token: a bad string inside
 * the brackets of a PATCH path is an invalid filter, not an invalid path.
 */

/** One token; `position` and `end` are 0-based offsets into the text (end exclusive). */
export type FilterToken =
  | { readonly kind: 'word'; readonly text: string; readonly position: number; readonly end: number }
  | { readonly kind: 'string'; readonly value: string; readonly position: number; readonly end: number }
  | {
      readonly kind: 'number';
      readonly value: number;
      readonly text: string;
      readonly position: number;
      readonly end: number;
    }
  | { readonly kind: '(' | ')' | '[' | ']'; readonly position: number; readonly end: number }
  | { readonly kind: 'end'; readonly position: number; readonly end: number };

/** Reports a lexical error; `position` is a 0-based offset. Never returns. */
export type LexErrorReporter = (message: string, position: number) => never;

const PUNCTUATION = new Set(['(', ')', '[', ']']);
// Attribute names are ALPHA *(nameChar) (RFC 7643 §2.1), paths add "." and the
// URN's ":" (RFC 7644 §3.10), and "$ref" is a sub-attribute name (RFC 7643 §2.4).
// A word may start with "." so that `emails[...].value` lexes as "]" ".value".
const WORD_START = /[A-Za-z_$.]/;
const WORD_CHAR = /[A-Za-z0-9_$.:-]/;
// Sticky: each matches the run at lastIndex, so a run is found in one call rather than a test per character.
const WORD_REST = /[A-Za-z0-9_$.:-]*/y;
const WHITESPACE_RUN = /[ \t\r\n]*/y;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SPACE = 0x20;
// RFC 7644 §3.4.2.2: compValue numbers are JSON numbers (RFC 8259 §6).
const JSON_NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/** Splits filter or path text into tokens on demand; `peek(n)` looks ahead without consuming. */
export class FilterLexer {
  private offset = 0;
  private readonly buffer: FilterToken[] = [];

  constructor(
    private readonly text: string,
    private readonly fail: LexErrorReporter,
  ) {}

  /** The token `ahead` places after the current one (0 = the current token). */
  peek(ahead = 0): FilterToken {
    while (this.buffer.length <= ahead) {
      this.buffer.push(this.scan());
    }
    return this.buffer[ahead];
  }

  /** Consumes and returns the current token. */
  next(): FilterToken {
    const token = this.peek();
    this.buffer.shift();
    return token;
  }

  private scan(): FilterToken {
    this.skipWhitespace();
    const position = this.offset;
    const char = this.text[position];
    if (char === undefined) {
      return { kind: 'end', position, end: position };
    }
    if (PUNCTUATION.has(char)) {
      this.offset += 1;
      return { kind: char as '(' | ')' | '[' | ']', position, end: this.offset };
    }
    if (char === '"') {
      return this.scanString();
    }
    if (char === '-' || isDigit(char)) {
      return this.scanNumber();
    }
    if (WORD_START.test(char)) {
      return this.scanWord();
    }
    return this.fail(`unexpected character ${JSON.stringify(char)}`, position);
  }

  private skipWhitespace(): void {
    this.offset = endOfRun(WHITESPACE_RUN, this.text, this.offset);
  }

  private scanWord(): FilterToken {
    const position = this.offset;
    this.offset = endOfRun(WORD_REST, this.text, position);
    return { kind: 'word', text: this.text.slice(position, this.offset), position, end: this.offset };
  }

  private scanNumber(): FilterToken {
    const position = this.offset;
    JSON_NUMBER.lastIndex = position;
    const match = JSON_NUMBER.exec(this.text);
    const end = position + (match?.[0].length ?? 0);
    const following = this.text[end];
    if (!match || (following !== undefined && WORD_CHAR.test(following))) {
      return this.fail('invalid number (numbers are written as in JSON, e.g. 42, -1.5, 2e10)', position);
    }
    const value = Number(match[0]);
    if (!Number.isFinite(value)) {
      return this.fail('number is out of range', position);
    }
    this.offset = end;
    return { kind: 'number', value, text: match[0], position, end };
  }

  /** A JSON string (RFC 8259 §7): escapes are decoded, raw control characters refused. */
  private scanString(): FilterToken {
    const position = this.offset;
    this.offset += 1;
    // The value is taken in runs of plain characters between escapes: one slice per run.
    let value = '';
    let run = this.offset;
    for (;;) {
      if (this.offset >= this.text.length) {
        return this.fail("unterminated string (missing closing '\"')", position);
      }
      const code = this.text.charCodeAt(this.offset);
      if (code === QUOTE) {
        value += this.text.slice(run, this.offset);
        this.offset += 1;
        return { kind: 'string', value, position, end: this.offset };
      }
      if (code === BACKSLASH) {
        value += this.text.slice(run, this.offset) + this.scanEscape();
        run = this.offset;
        continue;
      }
      if (code < SPACE) {
        return this.fail('control character in string (write it as a JSON escape such as \\n)', this.offset);
      }
      this.offset += 1;
    }
  }

  private scanEscape(): string {
    const position = this.offset;
    const letter = this.text[position + 1];
    const simple = letter === undefined ? undefined : SIMPLE_ESCAPES[letter];
    if (simple !== undefined) {
      this.offset += 2;
      return simple;
    }
    if (letter === 'u') {
      const hex = this.text.slice(position + 2, position + 6);
      if (/^[0-9A-Fa-f]{4}$/.test(hex)) {
        // PostgreSQL text cannot hold U+0000, so nothing stored can match it.
        if (parseInt(hex, 16) === 0) return this.fail('\\u0000 (NUL) is not allowed in a string', position);
        this.offset += 6;
        return String.fromCharCode(parseInt(hex, 16));
      }
      return this.fail('invalid \\u escape (expected four hexadecimal digits)', position);
    }
    return this.fail(`invalid escape ${JSON.stringify('\\' + (letter ?? ''))} in string`, position);
  }
}

/** Where the run `sticky` matches at `from` ends (`from` itself when it matches nothing there). */
function endOfRun(sticky: RegExp, text: string, from: number): number {
  sticky.lastIndex = from;
  return sticky.test(text) ? sticky.lastIndex : from;
}

function isDigit(char: string): boolean {
  return char >= '0' && char <= '9';
}
