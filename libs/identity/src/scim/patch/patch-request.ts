/**
 * Reads the body of a PATCH request (RFC 7644 §3.5.2) into typed operations,
 * before anything is applied.
 */
import { ScimError } from '../errors';

/** RFC 7644 §3.5.2: the PatchOp message schema URN. */
export const SCIM_PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** Default cap on operations per request; see `parsePatchRequest`. */
export const DEFAULT_MAX_PATCH_OPERATIONS = 1000;

export type PatchOpName = 'add' | 'remove' | 'replace';

/** One validated PATCH operation. `value` is still raw JSON: it is checked against the schema when applied. */
export interface PatchOperation {
  readonly op: PatchOpName;
  readonly path?: string;
  /** False when the operation has no `value` member (or it is undefined). */
  readonly hasValue: boolean;
  readonly value?: unknown;
}

function invalidSyntax(detail: string): ScimError {
  return ScimError.badRequest('invalidSyntax', detail);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A member looked up case-insensitively: RFC 7643 §2.1 (clients send `Operations`, `operations`, `Op`). */
function member(object: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(object).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : object[key];
}

function hasMember(object: Record<string, unknown>, name: string): boolean {
  return member(object, name) !== undefined;
}

function parseOpName(raw: unknown, index: number): PatchOpName {
  // Entra sends "Add", "Replace", "Remove": op names are compared case-insensitively.
  const name = typeof raw === 'string' ? raw.toLowerCase() : undefined;
  if (name === 'add' || name === 'remove' || name === 'replace') return name;
  // RFC 7644 §3.5.2: "op" MUST be one of add/remove/replace; anything else does not
  // conform to the request schema, which §3.12 calls invalidSyntax.
  throw invalidSyntax(`Operations[${index}].op must be "add", "remove" or "replace"`);
}

function parsePath(raw: unknown, index: number): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw ScimError.badRequest('invalidPath', `Operations[${index}].path must be a non-empty string`);
  }
  return raw.trim();
}

function parseOperation(raw: unknown, index: number): PatchOperation {
  if (!isObject(raw)) throw invalidSyntax(`Operations[${index}] must be an object`);
  const op = parseOpName(member(raw, 'op'), index);
  const path = parsePath(member(raw, 'path'), index);
  const hasValue = hasMember(raw, 'value');
  // RFC 7644 §3.5.2.1 / §3.5.2.3: add and replace MUST carry a value; §3.12: a missing required value is invalidValue.
  if (op !== 'remove' && !hasValue) {
    throw ScimError.badRequest('invalidValue', `Operations[${index}] (${op}) has no value`);
  }
  return {
    op,
    ...(path !== undefined ? { path } : {}),
    hasValue,
    ...(hasValue ? { value: member(raw, 'value') } : {}),
  };
}

function operationsOf(body: unknown): unknown {
  // The Operations array itself is accepted as well as the whole PatchOp message.
  if (Array.isArray(body)) return body;
  if (!isObject(body)) throw invalidSyntax('The PATCH body must be a PatchOp message object');
  return member(body, 'Operations');
}

/**
 * Validates a PatchOp message and returns its operations.
 * RFC 7644 §3.5.2: "Operations" MUST be an array of one or more operations;
 * a missing, non-array or empty one is `invalidSyntax` (§3.12). `schemas` is
 * not enforced: the message shape is unambiguous without it.
 * More than `maxOperations` is refused with 413, as RFC 7644 §3.7.4 does for
 * a bulk request over `maxOperations` (`tooMany` is defined for filters only).
 */
export function parsePatchRequest(body: unknown, maxOperations = DEFAULT_MAX_PATCH_OPERATIONS): PatchOperation[] {
  const operations = operationsOf(body);
  if (!Array.isArray(operations) || operations.length === 0) {
    throw invalidSyntax('Operations must be an array of one or more PATCH operations');
  }
  if (operations.length > maxOperations) {
    throw new ScimError(413, undefined, `A PATCH request may hold at most ${maxOperations} operations`);
  }
  return operations.map(parseOperation);
}
