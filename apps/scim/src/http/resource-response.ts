import type { ProjectionOptions, ScimResource } from '@app/identity';
import { parseAttributeList, project } from '@app/identity';
import type { FastifyReply } from 'fastify';

/** `attributes` / `excludedAttributes` of a request's query string (RFC 7644 §3.9: on every resource response). */
export function projectionOf(query: Record<string, unknown>): ProjectionOptions {
  const find = (name: string): unknown =>
    Object.entries(query).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
  return {
    attributes: parseAttributeList(find('attributes') as string | string[] | undefined),
    excludedAttributes: parseAttributeList(find('excludedAttributes') as string | string[] | undefined),
  };
}

/**
 * Projects a single resource for the response and sets its ETag (RFC 7644
 * §3.14) and its Location (RFC 7644 §3.3 on creation; §3.4.1 shows it on reads too).
 */
export function resourceResponse(
  reply: FastifyReply,
  resource: ScimResource,
  projection: ProjectionOptions,
  type: 'User' | 'Group',
): ScimResource {
  const meta = resource['meta'] as { version: string; location: string };
  void reply.header('etag', meta.version).header('location', meta.location);
  return project(resource, projection, type);
}
