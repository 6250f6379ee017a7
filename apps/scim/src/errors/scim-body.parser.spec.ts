import { HttpAdapterHost } from '@nestjs/core';
import { ScimError, toScimErrorBody } from '@app/identity/scim/errors';
import Fastify, { FastifyInstance } from 'fastify';
import { ScimBodyParser } from './scim-body.parser';

describe('ScimBodyParser', () => {
  let fastify: FastifyInstance;

  beforeAll(async () => {
    fastify = Fastify();
    new ScimBodyParser({ httpAdapter: { getInstance: () => fastify } } as unknown as HttpAdapterHost).onModuleInit();
    // The app's filter renders ScimErrors; this stand-in does the same for the parser's errors.
    fastify.setErrorHandler((error, _request, reply) =>
      error instanceof ScimError ? reply.status(error.status).send(toScimErrorBody(error)) : reply.send(error),
    );
    fastify.post('/echo', (request, reply) => reply.send({ body: request.body ?? null }));
    await fastify.ready();
  });
  afterAll(() => fastify.close());

  const post = (contentType: string | undefined, payload: string) =>
    fastify.inject({
      method: 'POST',
      url: '/echo',
      headers: contentType === undefined ? {} : { 'content-type': contentType },
      payload,
    });

  it.each([
    'application/scim+json',
    'application/scim+json; charset=utf-8',
    'application/scim+json;charset=UTF-8',
    'application/json',
    'application/json; charset=utf-8',
  ])('parses %s as JSON', async (contentType) => {
    const response = await post(contentType, '{"userName":"ann"}');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ body: { userName: 'ann' } });
  });

  // RFC 7644 §3.8: SCIM bodies are JSON; Okta's SPEC test creates its user without a Content-Type.
  it('reads a body sent without Content-Type as JSON', async () => {
    const response = await post(undefined, '{"userName":"ann"}');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ body: { userName: 'ann' } });
  });

  it.each(['{"userName":', 'userName=ann'])(
    'refuses %s sent without Content-Type with invalidSyntax',
    async (payload) => {
      const response = await post(undefined, payload);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
    },
  );

  it('refuses a NUL escape sent without Content-Type as it does with one', async () => {
    const response = await post(undefined, '{"userName":"a\\u0000b"}');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ scimType: 'invalidValue' });
  });

  it('reads an empty body as no body', async () => {
    const response = await post('application/scim+json', '');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ body: null });
  });

  it.each([
    '{"userName":',
    'userName=ann',
    '{"__proto__":{"admin":true}}',
    '{"constructor":{"prototype":{"admin":true}}}',
  ])('refuses %s with a SCIM invalidSyntax error', async (payload) => {
    const response = await post('application/scim+json', payload);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '400',
      scimType: 'invalidSyntax',
      detail: 'the request body is not valid JSON',
    });
  });

  it.each(['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])(
    'refuses %s with 415',
    async (contentType) => {
      const response = await post(contentType, 'userName=ann');
      expect(response.statusCode).toBe(415);
      expect(response.json()).toEqual({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
        status: '415',
        detail: 'the request body must be application/scim+json or application/json',
      });
    },
  );
});
