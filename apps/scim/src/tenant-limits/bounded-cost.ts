import type { FastifyRequest } from 'fastify';

/** `userName eq "…"` or `id eq "…"` alone: one equality on a key unique in the tenant, served by its index. */
const UNIQUE_KEY_LOOKUP = /^\s*(?:userName|id)\s+eq\s+"(?:[^"\\]|\\.)*"\s*$/i;

/**
 * Whether a SCIM request's cost is bounded whatever the tenant holds, so that it may run on a spare slot
 * (TenantLimiter): it reads or writes one user found by a unique key.
 * - `GET /Users/{id}`;
 * - `GET /Users` whose only filter is one `userName eq` or `id eq` (what an IdP sends before a create);
 * - `POST /Users` without a password (a password costs a deliberately slow hash).
 * Anything else counts as costly: listings, searches (`.search` included), groups and their members, other writes.
 * It errs on the costly side: a request it cannot read plainly (a filter given twice, an attribute named by its
 * schema's URN) is counted as costly, which only means it waits for its tenant's own turns.
 */
export function boundedCost(request: FastifyRequest): boolean {
  const route = request.routeOptions.url;
  if (request.method === 'GET') {
    if (route === '/scim/v2/Users/:id') return true;
    return route === '/scim/v2/Users' && isUniqueKeyLookup(request.query);
  }
  if (request.method === 'POST' && route === '/scim/v2/Users') return !mayHoldPassword(request.body);
  return false;
}

/** SCIM parameter names are case-insensitive (RFC 7644 §3.4.2): exactly one `filter`, a unique-key equality. */
function isUniqueKeyLookup(query: unknown): boolean {
  if (query === null || typeof query !== 'object') return false;
  const filters = Object.entries(query).filter(([name]) => name.toLowerCase() === 'filter');
  return filters.length === 1 && typeof filters[0][1] === 'string' && UNIQUE_KEY_LOOKUP.test(filters[0][1]);
}

function mayHoldPassword(body: unknown): boolean {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return true;
  return Object.keys(body).some((name) => name.toLowerCase().includes('password'));
}
