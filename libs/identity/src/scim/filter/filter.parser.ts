/**
 * Recursive-descent parser for SCIM filters (RFC 7644 §3.4.2.2) and PATCH paths
 * (RFC 7644 §3.5.2), one method per grammar rule:
 *
 *   filter     = orExpr
 *   orExpr     = andExpr *("or" andExpr)
 *   andExpr    = factor *("and" factor)
 *   factor     = "not" "(" orExpr ")" / "(" orExpr ")" / attrExp / valuePath
 *   attrExp    = attrPath "pr" / attrPath compareOp compValue
 *   valuePath  = attrPath "[" orExpr "]" [ "." subAttr compareOp compValue ]   ; see parseValuePath
 *   patchPath  = attrPath / attrPath "[" orExpr "]" [ "." subAttr ]
 *
 * Precedence is not > and > or (RFC 7644 §3.4.2.2, "Filter Operator Precedence").
 * and/or chains are read iteratively and folded into a balanced tree, so a flat
 * chain of N terms is log2(N) deep: the evaluator and the SQL translator recurse
 * over the tree, and with the nesting and term limits below they never go deep.
 */
import { ScimError, type ScimErrorType } from '../errors';
import type { AttributePath, CompareOperator, CompareValue, FilterNode, LogicalNode } from './filter.ast';
import { FilterLexer, type FilterToken } from './filter.lexer';

/** Longest filter or path accepted, in characters. */
export const MAX_FILTER_LENGTH = 4096;
/** Deepest nesting of "(", "not (" and "[" accepted. */
export const MAX_FILTER_DEPTH = 32;
/** Most attribute expressions (comparisons and `pr`) in one filter. */
export const MAX_FILTER_TERMS = 200;

/** A PATCH operation's target (RFC 7644 §3.5.2 PATH = attrPath / valuePath [subAttr]). */
export interface PatchPath {
  /** The attribute; for a value path, the multi-valued attribute before "[". */
  readonly path: AttributePath;
  /** For a value path, the filter its elements must match. */
  readonly filter?: FilterNode;
  /** For a value path, the sub-attribute after "].". */
  readonly subAttribute?: string;
}

const COMPARE_OPERATORS: ReadonlySet<string> = new Set<CompareOperator>([
  'eq',
  'ne',
  'co',
  'sw',
  'ew',
  'gt',
  'ge',
  'lt',
  'le',
]);
// and/or/not cannot start an attribute expression; refusing them as names turns
// `userName eq "x" and and ...` into a clear "expected an attribute" error.
const RESERVED_WORDS: ReadonlySet<string> = new Set(['and', 'or', 'not']);
// RFC 7643 §2.1 ATTRNAME = ALPHA *(nameChar); "$ref" is the reference sub-attribute (§2.4).
const ATTRIBUTE_NAME = /^(?:[A-Za-z][A-Za-z0-9_-]*|\$ref)$/i;
// RFC 8141 URN: "urn:" NID ":" NSS, here without empty segments or a trailing ":".
const SCHEMA_URN = /^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}(?::[A-Za-z0-9_$.-]+)+$/i;

/** Parses a SCIM filter; throws ScimError invalidFilter, with a 1-based position, when malformed. */
export function parseFilter(text: string): FilterNode {
  const parser = new FilterParser(text, 'invalidFilter');
  return parser.parseWhole(() => parser.parseOr());
}

/** Parses a PATCH operation's path; throws ScimError invalidPath (or invalidFilter inside "[...]"). */
export function parsePatchPath(text: string): PatchPath {
  const parser = new FilterParser(text, 'invalidPath');
  return parser.parseWhole(() => parser.parsePatchPath());
}

class FilterParser {
  private readonly lexer: FilterLexer;
  private depth = 0;
  private terms = 0;
  /** Inside "[...]" paths name a sub-attribute of the element (RFC 7644 §3.4.2.2 valFilter). */
  private inValuePath = false;
  /** Where the last ")" or "]" ended, to tell `].value` from `] .value`. */
  private lastClosingEnd = -1;
  constructor(
    private readonly text: string,
    private errorType: ScimErrorType,
  ) {
    this.lexer = new FilterLexer(text, (message, position) => this.fail(message, position));
  }

  parseWhole<T>(rule: () => T): T {
    const noun = this.errorType === 'invalidPath' ? 'path' : 'filter';
    if (this.text.length > MAX_FILTER_LENGTH) {
      throw ScimError.badRequest(
        this.errorType,
        `${noun} is too long (${this.text.length} characters, at most ${MAX_FILTER_LENGTH})`,
      );
    }
    if (this.text.trim() === '') {
      throw ScimError.badRequest(this.errorType, `${noun} is empty`);
    }
    const result = rule();
    this.expectEnd(noun);
    return result;
  }

  parseOr(): FilterNode {
    const operands = [this.parseAnd()];
    while (this.peekKeyword('or')) {
      this.lexer.next();
      operands.push(this.parseAnd());
    }
    return balance('or', operands);
  }

  parsePatchPath(): PatchPath {
    const path = this.parseAttributePath();
    if (this.lexer.peek().kind !== '[') {
      return { path };
    }
    this.refuseSubAttributeBeforeBracket(path);
    // The brackets belong to the path (invalidPath); what they enclose is a filter (invalidFilter).
    const filter = this.parseBracketedFilter('invalidFilter');
    const subAttribute = this.parseSubAttributeAfterBracket();
    return subAttribute === undefined ? { path, filter } : { path, filter, subAttribute };
  }

  private parseAnd(): FilterNode {
    const operands = [this.parseFactor()];
    while (this.peekKeyword('and')) {
      this.lexer.next();
      operands.push(this.parseFactor());
    }
    return balance('and', operands);
  }

  private parseFactor(): FilterNode {
    const token = this.lexer.peek();
    if (token.kind === '(') {
      return this.parseGroup();
    }
    if (token.kind === 'word' && token.text.toLowerCase() === 'not') {
      return this.parseNot();
    }
    if (token.kind === 'word' && !RESERVED_WORDS.has(token.text.toLowerCase())) {
      return this.parseAttributeExpression();
    }
    return this.unexpected(token, "an attribute name, '(' or 'not ('");
  }

  private parseGroup(): FilterNode {
    const open = this.lexer.next();
    const inner = this.nested(open, () => this.parseOr());
    this.expectClosing(')', open);
    return inner;
  }

  /** RFC 7644 §3.4.2.2: `not` always takes a parenthesised filter. */
  private parseNot(): FilterNode {
    const keyword = this.lexer.next();
    const open = this.lexer.peek();
    if (open.kind !== '(') {
      return this.unexpected(open, "'(' after 'not'");
    }
    this.lexer.next();
    const filter = this.nested(keyword, () => this.parseOr());
    this.expectClosing(')', open);
    return { kind: 'not', filter };
  }

  private parseAttributeExpression(): FilterNode {
    const path = this.parseAttributePath();
    const token = this.lexer.peek();
    if (token.kind === '[') {
      return this.parseValuePath(path);
    }
    return this.parseOperation(path);
  }

  /** `attrPath pr` or `attrPath compareOp compValue`. */
  private parseOperation(path: AttributePath): FilterNode {
    const token = this.lexer.next();
    const operator = token.kind === 'word' ? token.text.toLowerCase() : '';
    this.countTerm(token);
    if (operator === 'pr') {
      return { kind: 'present', path };
    }
    if (!COMPARE_OPERATORS.has(operator)) {
      const expected = `an operator (eq, ne, co, sw, ew, gt, ge, lt, le or pr) after '${formatPath(path)}'`;
      return this.unexpected(token, expected);
    }
    const op = operator as CompareOperator;
    const value = this.parseCompareValue(op);
    return { kind: 'compare', path, op, value };
  }

  /**
   * `emails[type eq "work"]`. Microsoft Entra ID and others also send
   * `emails[type eq "work"].value eq "x"`, which RFC 7644's filter grammar does
   * not allow (subAttr after "]" exists only in PATCH paths). It is accepted as
   * `emails[type eq "work" and value eq "x"]`, which is what it means: some
   * element is a work email whose value is "x".
   */
  private parseValuePath(path: AttributePath): FilterNode {
    this.refuseSubAttributeBeforeBracket(path);
    const filter = this.parseBracketedFilter();
    const subAttribute = this.parseSubAttributeAfterBracket();
    if (subAttribute === undefined) {
      return { kind: 'valuePath', path, filter };
    }
    const condition = this.parseOperation({ attribute: subAttribute });
    return { kind: 'valuePath', path, filter: { kind: 'logical', op: 'and', left: filter, right: condition } };
  }

  private parseBracketedFilter(innerErrorType: ScimErrorType = this.errorType): FilterNode {
    const open = this.lexer.next();
    if (this.inValuePath) {
      return this.fail('value paths cannot be nested (a "[" inside "[...]")', open.position);
    }
    if (this.lexer.peek().kind === ']') {
      return this.fail('empty value filter "[]"', open.position);
    }
    this.inValuePath = true;
    const filter = this.withErrorType(innerErrorType, () => this.nested(open, () => this.parseOr()));
    this.inValuePath = false;
    this.expectClosing(']', open);
    return filter;
  }

  /** The `.subAttr` right after "]" (no space allowed, as in the RFC grammar). */
  private parseSubAttributeAfterBracket(): string | undefined {
    const token = this.lexer.peek();
    const previousEnd = this.lastClosingEnd;
    if (token.kind !== 'word' || !token.text.startsWith('.') || token.position !== previousEnd) {
      return undefined;
    }
    this.lexer.next();
    const name = token.text.slice(1);
    if (!ATTRIBUTE_NAME.test(name)) {
      return this.fail(`invalid sub-attribute name '${name}' after "]"`, token.position + 1);
    }
    return name;
  }

  private refuseSubAttributeBeforeBracket(path: AttributePath): void {
    if (path.subAttribute !== undefined) {
      this.fail(
        `'${formatPath(path)}' names a sub-attribute; "[...]" applies to a multi-valued attribute such as 'emails'`,
        this.lexer.peek().position,
      );
    }
  }

  private parseCompareValue(op: CompareOperator): CompareValue {
    const token = this.lexer.next();
    const value = this.literalValue(token);
    if (value === undefined) {
      return this.unexpected(token, `a value after '${op}' (a string in double quotes, a number, true, false or null)`);
    }
    // RFC 7644 §3.4.2.2: co/sw/ew are substring operators; ordering a boolean
    // or null is meaningless (booleans with gt etc. "SHALL" be invalidFilter).
    if ((op === 'co' || op === 'sw' || op === 'ew') && typeof value !== 'string') {
      return this.fail(`'${op}' needs a string value`, token.position);
    }
    if ((op === 'gt' || op === 'ge' || op === 'lt' || op === 'le') && (value === null || typeof value === 'boolean')) {
      return this.fail(`'${op}' cannot compare with ${String(value)}`, token.position);
    }
    return value;
  }

  private literalValue(token: FilterToken): CompareValue | undefined {
    switch (token.kind) {
      case 'string':
      case 'number':
        return token.value;
      case 'word':
        return keywordLiteral(token.text);
      case '(':
      case ')':
      case '[':
      case ']':
      case 'end':
        return undefined;
    }
  }

  /** `[urn:...:]name[.subAttribute]`; inside "[...]" only a bare sub-attribute name. */
  private parseAttributePath(): AttributePath {
    const token = this.lexer.next();
    if (token.kind !== 'word') {
      return this.unexpected(token, 'an attribute name');
    }
    const path = this.splitAttributePath(token.text, token.position);
    if (this.inValuePath && (path.schema !== undefined || path.subAttribute !== undefined)) {
      return this.fail(
        `'${token.text}': inside "[...]" write a sub-attribute name of the element, such as 'value' or 'type'`,
        token.position,
      );
    }
    return path;
  }

  /**
   * RFC 7644 §3.10: a fully qualified path is the schema URN, ":", then the
   * attribute. URNs contain dots ("2.0") and colons, so the schema is everything
   * before the last ":" and only the remainder is split on ".".
   */
  private splitAttributePath(text: string, position: number): AttributePath {
    const isUrn = /^urn:/i.test(text);
    const colon = isUrn ? text.lastIndexOf(':') : -1;
    const schema = isUrn ? text.slice(0, colon) : undefined;
    const rest = text.slice(colon + 1);
    if (schema !== undefined && !SCHEMA_URN.test(schema)) {
      return this.fail(`invalid schema URN '${schema}'`, position);
    }
    if (schema !== undefined && rest === '') {
      return this.fail(`missing attribute name after schema URN '${schema}:'`, position + text.length);
    }
    const [attribute, subAttribute, ...extra] = rest.split('.');
    if (attribute === undefined || !ATTRIBUTE_NAME.test(attribute) || extra.length > 0) {
      return this.fail(`invalid attribute path '${text}'`, position);
    }
    if (subAttribute !== undefined && !ATTRIBUTE_NAME.test(subAttribute)) {
      return this.fail(`invalid sub-attribute name '${subAttribute}' in '${text}'`, position);
    }
    return {
      ...(schema !== undefined ? { schema } : {}),
      attribute,
      ...(subAttribute !== undefined ? { subAttribute } : {}),
    };
  }

  private nested<T>(opening: FilterToken, rule: () => T): T {
    if (this.depth >= MAX_FILTER_DEPTH) {
      return this.fail(`filter is nested too deeply (at most ${MAX_FILTER_DEPTH} levels)`, opening.position);
    }
    this.depth += 1;
    const result = rule();
    this.depth -= 1;
    return result;
  }

  private countTerm(token: FilterToken): void {
    this.terms += 1;
    if (this.terms > MAX_FILTER_TERMS) {
      this.fail(`filter has too many terms (at most ${MAX_FILTER_TERMS} comparisons)`, token.position);
    }
  }

  private expectClosing(kind: ')' | ']', open: FilterToken): void {
    const token = this.lexer.next();
    if (token.kind !== kind) {
      this.unexpected(token, `'${kind}' to close the '${open.kind}' at position ${open.position + 1}`);
    }
    this.lastClosingEnd = token.end;
  }

  private expectEnd(noun: string): void {
    const token = this.lexer.peek();
    if (token.kind === 'end') {
      return;
    }
    if (token.kind === ')' || token.kind === ']') {
      this.fail(`unbalanced '${token.kind}' (nothing to close)`, token.position);
    }
    this.unexpected(token, noun === 'path' ? 'the end of the path' : "'and', 'or' or the end of the filter");
  }

  private peekKeyword(keyword: 'and' | 'or'): boolean {
    const token = this.lexer.peek();
    return token.kind === 'word' && token.text.toLowerCase() === keyword;
  }

  private withErrorType<T>(errorType: ScimErrorType, rule: () => T): T {
    const outer = this.errorType;
    this.errorType = errorType;
    const result = rule();
    this.errorType = outer;
    return result;
  }

  private unexpected(token: FilterToken, expected: string): never {
    return this.fail(`expected ${expected}, found ${describeToken(token)}`, token.position);
  }

  private fail(message: string, position: number): never {
    throw ScimError.badRequest(this.errorType, `${message} at position ${position + 1}`);
  }
}

/** Folds operands into a balanced tree: depth log2(n) instead of n. */
function balance(op: LogicalNode['op'], operands: readonly FilterNode[]): FilterNode {
  if (operands.length === 1) {
    return operands[0];
  }
  // ceil(n/2) on the left keeps three operands left-leaning: (a or b) or c.
  const middle = Math.ceil(operands.length / 2);
  return {
    kind: 'logical',
    op,
    left: balance(op, operands.slice(0, middle)),
    right: balance(op, operands.slice(middle)),
  };
}

/** RFC 7644 §3.4.2.2: true, false and null are case-insensitive like the operators. */
function keywordLiteral(word: string): CompareValue | undefined {
  switch (word.toLowerCase()) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'null':
      return null;
    default:
      return undefined;
  }
}

function describeToken(token: FilterToken): string {
  switch (token.kind) {
    case 'word':
      return `'${truncate(token.text)}'`;
    case 'string':
      return `string ${truncate(JSON.stringify(token.value))}`;
    case 'number':
      return `number ${token.text}`;
    case '(':
    case ')':
    case '[':
    case ']':
      return `'${token.kind}'`;
    case 'end':
      return 'the end of the text';
  }
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** `[schema:]attribute[.subAttribute]`, as written. */
export function formatPath(path: AttributePath): string {
  const prefix = path.schema === undefined ? '' : `${path.schema}:`;
  const suffix = path.subAttribute === undefined ? '' : `.${path.subAttribute}`;
  return `${prefix}${path.attribute}${suffix}`;
}
