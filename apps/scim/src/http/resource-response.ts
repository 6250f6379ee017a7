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

/**
 * RFC 9110 §15.4.5: the answer to a GET whose If-None-Match names the current
 * version (see `isNotModified`): 304 with the ETag and no body.
 */
export function notModified(reply: FastifyReply, resource: ScimResource): undefined {
  const meta = resource['meta'] as { version: string };
  void reply.status(304).header('etag', meta.version);
  return undefined;
}
