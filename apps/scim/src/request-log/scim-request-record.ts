import type { ScimPrincipal } from '@app/identity';
import type { ScimRequestRecord } from '@app/identity/request-log/request-log.rows';

const MAX_PATH = 300;
const MAX_USER_AGENT = 300;
const MAX_DETAIL = 300;

/** What one SCIM response is, as the request log needs it. */
export interface ScimExchange {
  readonly principal: ScimPrincipal;
  readonly method: string;
  /** The matched route pattern, e.g. `/scim/v2/Users/:id`. */
  readonly route: string;
  readonly params: unknown;
  readonly status: number;
  /** The response body as sent (a string for the JSON bodies of this app). */
  readonly payload: unknown;
  readonly elapsedMs: number;
  readonly userAgent: string | string[] | undefined;
  readonly now: Date;
}

/**
 * The route pattern with its parameters filled in: the resource id, never the query string
 * (its filters carry user names) and never more than the route names.
 */
export function recordedPath(route: string, params: unknown): string {
  const values = (params ?? {}) as Record<string, unknown>;
  let path = '';
  for (const part of routeParts(route)) {
    if (part.name === undefined) {
      path += part.text;
    } else {
      const value = values[part.name];
      path += typeof value !== 'string' ? part.text : UNRESERVED.test(value) ? value : encodeURIComponent(value);
    }
  }
  return path.length > MAX_PATH ? `${path.slice(0, MAX_PATH)}…` : path;
}

/** Characters encodeURIComponent leaves as they are: most ids (a UUID) need no call to it. */
const UNRESERVED = /^[A-Za-z0-9\-_.!~*'()]*$/;

/** A route pattern cut into its literal text and its parameters (`:id`), once per pattern: there are a few dozen. */
const partsOfRoutes = new Map<string, readonly RoutePart[]>();

interface RoutePart {
  readonly text: string;
  /** The parameter's name, for a `:name` part. */
  readonly name?: string;
}

function routeParts(route: string): readonly RoutePart[] {
  let parts = partsOfRoutes.get(route);
  if (!parts) {
    parts = route
      .split(/(:[A-Za-z0-9_]+)/)
      .filter((text) => text !== '')
      .map((text) => (text.startsWith(':') ? { text, name: text.slice(1) } : { text }));
    partsOfRoutes.set(route, parts);
  }
  return parts;
}

/**
 * A detail with its quoted values left out: they echo what the IdP sent (a user name, a piece
 * of a filter), which the log keeps no more of than the query string.
 */
export function withoutQuotedValues(detail: string): string {
  return detail.replace(/"(?:[^"\\]|\\.)*"/g, '"…"').replace(/'(?:[^'\\]|\\.)*'/g, "'…'");
}

interface ScimErrorFields {
  readonly scimType: string | null;
  readonly detail: string | null;
}

const NO_ERROR: ScimErrorFields = Object.freeze({ scimType: null, detail: null });

/** The SCIM error's `scimType` and `detail` from an error response's body; nothing for a success. */
export function scimErrorOf(status: number, payload: unknown): ScimErrorFields {
  if (status < 400 || typeof payload !== 'string') return NO_ERROR;
  try {
    const body = JSON.parse(payload) as { scimType?: unknown; detail?: unknown };
    const detail = typeof body.detail === 'string' ? withoutQuotedValues(body.detail).slice(0, MAX_DETAIL) : null;
    return { scimType: typeof body.scimType === 'string' ? body.scimType : null, detail };
  } catch {
    return { scimType: null, detail: null };
  }
}

/** The request log's row for one SCIM exchange. */
export function scimRequestRecord(exchange: ScimExchange): ScimRequestRecord {
  const userAgent = typeof exchange.userAgent === 'string' ? exchange.userAgent.slice(0, MAX_USER_AGENT) : null;
  return {
    tenantId: exchange.principal.tenantId,
    tokenId: exchange.principal.tokenId,
    occurredAt: exchange.now,
    method: exchange.method,
    path: recordedPath(exchange.route, exchange.params),
    status: exchange.status,
    ...scimErrorOf(exchange.status, exchange.payload),
    durationMs: Math.max(0, Math.round(exchange.elapsedMs)),
    userAgent,
  };
}
