import { ArgumentsHost, Logger, NotFoundException } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { ScimError } from '@app/identity/scim/errors';
import { RouteTable } from './route-table';
import { ScimExceptionFilter } from './scim-exception.filter';

interface FakeReply {
  statusCode?: number;
  sentHeaders: Record<string, string>;
  body?: unknown;
  status(code: number): FakeReply;
  headers(values: Record<string, string>): FakeReply;
  send(body: unknown): FakeReply;
}

function fakeReply(): FakeReply {
  const reply: FakeReply = {
    sentHeaders: {},
    status: (code) => Object.assign(reply, { statusCode: code }),
    headers: (values) => Object.assign(reply, { sentHeaders: { ...reply.sentHeaders, ...values } }),
    send: (body) => Object.assign(reply, { body }),
  };
  return reply;
}

function hostFor(request: { url: string; method?: string; routeUrl?: string }, reply: FakeReply): ArgumentsHost {
  const fastifyRequest = {
    url: request.url,
    method: request.method ?? 'GET',
    id: 'req-42',
    routeOptions: { url: request.routeUrl },
  };
  return {
    switchToHttp: () => ({ getRequest: () => fastifyRequest, getResponse: () => reply }),
  } as unknown as ArgumentsHost;
}

describe('ScimExceptionFilter', () => {
  const routes = new RouteTable();
  routes.add(['GET', 'HEAD'], '/scim/v2/Schemas');
  const filter = new ScimExceptionFilter(routes);

  afterEach(() => jest.restoreAllMocks());

  it('renders a ScimError in the SCIM error schema', () => {
    const reply = fakeReply();
    filter.catch(
      ScimError.badRequest('invalidFilter', 'bad filter'),
      hostFor({ url: '/scim/v2/Users?filter=x', routeUrl: '/scim/v2/Users' }, reply),
    );
    expect(reply.statusCode).toBe(400);
    expect(reply.body).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '400',
      scimType: 'invalidFilter',
      detail: 'bad filter',
    });
  });

  it('answers an unmatched path that exists for other methods with 405 and Allow', () => {
    const reply = fakeReply();
    filter.catch(
      new NotFoundException('Cannot DELETE /scim/v2/Schemas'),
      hostFor({ url: '/scim/v2/Schemas', method: 'DELETE' }, reply),
    );
    expect(reply.statusCode).toBe(405);
    expect(reply.sentHeaders).toEqual({ allow: 'GET, HEAD' });
  });

  it('answers an unmatched unknown path with 404', () => {
    const reply = fakeReply();
    filter.catch(new NotFoundException('Cannot GET /scim/v2/Nope'), hostFor({ url: '/scim/v2/Nope?filter=x' }, reply));
    expect(reply.statusCode).toBe(404);
    expect(reply.body).toMatchObject({ status: '404', detail: 'no SCIM endpoint at /scim/v2/Nope' });
  });

  it('logs an unexpected error with the request id and sends no stack or message', () => {
    const log = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const reply = fakeReply();
    const bug = new Error('password authentication failed for user "gateway"');
    filter.catch(bug, hostFor({ url: '/scim/v2/Users', routeUrl: '/scim/v2/Users' }, reply));
    expect(reply.statusCode).toBe(500);
    expect(reply.body).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '500',
      detail: 'internal server error (request id req-42)',
    });
    expect(JSON.stringify(reply.body)).not.toMatch(/password|at |\.ts/);
    expect(log).toHaveBeenCalledWith({ err: bug, requestId: 'req-42' }, 'unhandled error in the SCIM app');
  });

  it('does not log expected client errors', () => {
    const log = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    filter.catch(
      ScimError.notFound('no user'),
      hostFor({ url: '/scim/v2/Users/1', routeUrl: '/scim/v2/Users/:id' }, fakeReply()),
    );
    expect(log).not.toHaveBeenCalled();
  });

  it.each([
    ['/health/ready', '/health/ready'],
    ['/health/nothing', undefined],
    ['/metrics', '/metrics'],
  ])("leaves %s to Nest's own rendering", (url, routeUrl) => {
    const base = jest.spyOn(BaseExceptionFilter.prototype, 'catch').mockImplementation(() => undefined);
    const reply = fakeReply();
    const error = new Error('redis down');
    const host = hostFor({ url, routeUrl }, reply);
    filter.catch(error, host);
    expect(base).toHaveBeenCalledWith(error, host);
    expect(reply.body).toBeUndefined();
  });
});
