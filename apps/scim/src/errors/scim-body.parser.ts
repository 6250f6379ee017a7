import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ScimError } from '@app/identity/scim/errors';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * RFC 7644 §3.1 and §8.1: SCIM bodies are application/scim+json; clients also
 * send application/json (Okta's conformance run, Entra at times). Parameters
 * such as `; charset=utf-8` do not change the match.
 */
export const SCIM_REQUEST_MEDIA_TYPES: readonly string[] = ['application/json', 'application/scim+json'];

/**
 * Makes the SCIM app read JSON in both SCIM media types, and a body sent with
 * no Content-Type at all (RFC 7644 §3.8 makes JSON the format of SCIM bodies,
 * and Okta's own SPEC test posts its "create user" step without the header);
 * any other type is a SCIM 415 (RFC 9110 §15.5.16). Fastify's own parser still
 * does the parsing (with its prototype-poisoning checks); a body it refuses
 * becomes a SCIM `invalidSyntax` error (RFC 7644 §3.12) rather than Fastify's
 * message, which names application/json whatever was sent.
 *
 * It runs at module init because Nest registers its own JSON and form parsers
 * during `app.init()`, just before; a `bodyParser: false` option of
 * `createHttpApp` would let this move into `createScimApp`.
 */
/** A JSON `\u0000` escape: preceded by an even number of backslashes (an odd one would escape the backslash itself). */
const ESCAPED_NUL = /(?<!\\)(?:\\\\)*\\u0000/;

/** RFC 9110 §15.5.16: the status of a body in a media type the server does not read. */
const UNSUPPORTED_MEDIA_TYPE = 415;

@Injectable()
export class ScimBodyParser implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const parseJson = fastify.getDefaultJsonParser('error', 'error');
    const readJson: ContentTypeParser = (request, body, done) => {
      // Clients send a Content-Type on bodiless requests too (a DELETE): no body, not a broken one.
      if (body.length === 0) return done(null, undefined);
      // PostgreSQL text and jsonb cannot hold U+0000: refuse it here rather than fail at the database.
      if (ESCAPED_NUL.test(body)) {
        return done(ScimError.badRequest('invalidValue', 'strings must not contain \\u0000 (NUL)'), undefined);
      }
      // Fastify's parser answers through the callback (its type also allows a promise, never returned here).
      void parseJson(request, body, (error, value) => {
        done(error ? ScimError.badRequest('invalidSyntax', 'the request body is not valid JSON') : null, value);
      });
    };
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser([...SCIM_REQUEST_MEDIA_TYPES], { parseAs: 'string' }, readJson);
    // Fastify hands the catch-all both a body without Content-Type and any type no parser above claims.
    fastify.addContentTypeParser('*', { parseAs: 'string' }, (request, body: string, done) => {
      if (request.headers['content-type'] === undefined) return readJson(request, body, done);
      done(
        new ScimError(
          UNSUPPORTED_MEDIA_TYPE,
          undefined,
          'the request body must be application/scim+json or application/json',
        ),
        undefined,
      );
    });
  }
}

/** A string-body parser as Fastify calls it. */
type ContentTypeParser = (
  request: FastifyRequest,
  body: string,
  done: (error: Error | null, value: unknown) => void,
) => void;
