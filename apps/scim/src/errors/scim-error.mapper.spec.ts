import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  NotFoundException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { ScimError } from '@app/identity/scim/errors';
import { UnfitTextError } from '@app/platform';
import { QueryFailedError } from 'typeorm';
import { TenantBusyError } from '../tenant-limits/tenant-limiter';
import { FailedRequest, toScimFailure } from './scim-error.mapper';

const request: FailedRequest = {
  method: 'GET',
  path: '/scim/v2/Users/42',
  requestId: 'req-7',
  routeMatched: true,
  allowedMethods: [],
};

/** The shape of a Fastify error that reaches the filter unwrapped. */
function fastifyError(statusCode: number, message: string): Error {
  return Object.assign(new Error(message), { statusCode, code: 'FST_ERR_TEST' });
}

describe('toScimFailure', () => {
  it('passes a ScimError through, scimType included', () => {
    const error = ScimError.conflict('userName "ann" is taken');
    expect(toScimFailure(error, request)).toEqual({ error, headers: {}, unexpected: false });
  });

  it('adds the Bearer challenge to a 401 (RFC 6750 §3)', () => {
    const failure = toScimFailure(new ScimError(401, undefined, 'no token'), request);
    expect(failure.headers).toEqual({ 'www-authenticate': 'Bearer realm="SCIM"' });
  });

  it.each([
    ['a Nest 400', new BadRequestException('bad'), 400, 'invalidSyntax', 'bad'],
    [
      'a wrapped Fastify 400',
      new HttpException('Request body size did not match Content-Length', 400),
      400,
      'invalidSyntax',
      'Request body size did not match Content-Length',
    ],
    [
      'an unwrapped Fastify 400',
      fastifyError(400, 'Body cannot be empty'),
      400,
      'invalidSyntax',
      'Body cannot be empty',
    ],
    [
      'a 413',
      new HttpException('Request body is too large', 413),
      413,
      undefined,
      'the request body exceeds 1048576 bytes',
    ],
    [
      'an unwrapped 413',
      fastifyError(413, 'Request body is too large'),
      413,
      undefined,
      'the request body exceeds 1048576 bytes',
    ],
    [
      'a 415',
      new HttpException('Unsupported Media Type', 415),
      415,
      undefined,
      'the request body must be application/scim+json or application/json',
    ],
    ['a 403', new ForbiddenException('not yours'), 403, undefined, 'not yours'],
    ['a 404 from a matched route', new NotFoundException('no such user'), 404, undefined, 'no such user'],
    ['a 409 with a message list', new HttpException({ message: ['a', 'b'] }, 409), 409, undefined, 'a; b'],
  ])('maps %s', (_case, exception, status, scimType, detail) => {
    const failure = toScimFailure(exception, request);
    expect(failure.error).toMatchObject({ status, scimType, detail });
    expect(failure.unexpected).toBe(false);
  });

  it('adds the challenge to a Nest 401 too', () => {
    const failure = toScimFailure(new UnauthorizedException(), request);
    expect(failure.error.status).toBe(401);
    expect(failure.headers['www-authenticate']).toBe('Bearer realm="SCIM"');
  });

  it('answers an unmatched path with 404 naming the path', () => {
    const failure = toScimFailure(new NotFoundException('Cannot GET /scim/v2/Nope?filter=x'), {
      ...request,
      path: '/scim/v2/Nope',
      routeMatched: false,
    });
    expect(failure.error).toMatchObject({ status: 404, detail: 'no SCIM endpoint at /scim/v2/Nope' });
    expect(failure.headers).toEqual({});
  });

  it('answers a known path with another method with 405 and Allow', () => {
    const failure = toScimFailure(new NotFoundException(), {
      ...request,
      method: 'POST',
      path: '/scim/v2/Schemas',
      routeMatched: false,
      allowedMethods: ['GET', 'HEAD'],
    });
    expect(failure.error).toMatchObject({ status: 405, detail: 'POST is not supported on /scim/v2/Schemas' });
    expect(failure.headers).toEqual({ allow: 'GET, HEAD' });
  });

  it.each([
    ['an Error', new Error('connection refused at 10.0.0.5:5432')],
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a thrown string', 'boom'],
    ['null', null],
    ['a Nest 503', new ServiceUnavailableException('pool exhausted')],
    ['a Fastify 500', fastifyError(500, 'parser misconfigured')],
    ['a ScimError 500', new ScimError(500, undefined, 'internal')],
  ])('turns %s into a generic 500 with the request id, flagged for the log', (_case, exception) => {
    const failure = toScimFailure(exception, request);
    expect(failure.unexpected).toBe(true);
    expect(failure.error.status).toBeGreaterThanOrEqual(500);
    if (!(exception instanceof ScimError)) {
      expect(failure.error).toMatchObject({
        status: 500,
        scimType: undefined,
        detail: 'internal server error (request id req-7)',
      });
    }
  });

  it.each([
    ['body.name.givenName', 'invalidValue'],
    ['query.attributes', 'invalidValue'],
    ['query.filter', 'invalidFilter'],
    ['body.filter', 'invalidFilter'],
  ])('turns a string the database cannot hold at %s into 400 %s, not logged', (where, scimType) => {
    const failure = toScimFailure(new UnfitTextError(where), request);
    expect(failure.error).toMatchObject({ status: 400, scimType });
    expect(failure.error.detail).toContain(where);
    expect(failure.unexpected).toBe(false);
  });

  it('turns a busy tenant into 429 with Retry-After, not logged', () => {
    const failure = toScimFailure(new TenantBusyError('queue-full'), request);
    expect(failure.error).toMatchObject({ status: 429, scimType: undefined });
    expect(failure.error.detail).toMatch(/too many concurrent requests for this tenant/);
    expect(failure.headers).toEqual({ 'retry-after': '1' });
    expect(failure.unexpected).toBe(false);
    expect(failure.warning).toBeUndefined();
  });

  it.each([
    [
      'a statement timeout',
      new QueryFailedError('SELECT 1', [], pgError('canceling statement due to statement timeout', '57014')),
      /did not finish this request in the time allowed; nothing was changed/,
    ],
    ['no free connection in time', new Error('timeout exceeded when trying to connect'), /in the time allowed/],
    ['a refused connection', pgError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'), /database is unavailable/],
    [
      'a terminated backend',
      new QueryFailedError('SELECT 1', [], pgError('terminating connection due to administrator command', '57P01')),
      /database is unavailable/,
    ],
    ['a lost connection', new Error('Connection terminated unexpectedly'), /database is unavailable/],
  ])('turns %s into 503 with Retry-After, one warning and no stack', (_case, exception, detail) => {
    const failure = toScimFailure(exception, request);
    expect(failure.error).toMatchObject({ status: 503, scimType: undefined });
    expect(failure.error.detail).toMatch(detail);
    expect(failure.headers).toEqual({ 'retry-after': '5' });
    expect(failure.unexpected).toBe(false);
    expect(failure.warning).toEqual(expect.any(String));
  });
});

function pgError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}
