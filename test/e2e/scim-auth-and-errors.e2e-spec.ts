import { ScimTokensService, TenantsService } from '@app/identity';
import { createScimApp } from '../../apps/scim/src/create-scim-app';
import { TestApp, startTestApp } from '../support/test-app';

const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';
const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

interface ScimResponse {
  readonly status: number;
  readonly headers: Record<string, unknown>;
  readonly body: any;
}

describe('SCIM app: authentication and errors', () => {
  let gateway: TestApp;
  let token: string;

  const send = async (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    options: { headers?: Record<string, string>; payload?: string } = {},
  ): Promise<ScimResponse> => {
    const response = await gateway.app.inject({
      method,
      url,
      headers: options.headers ?? { authorization: `Bearer ${token}` },
      ...(options.payload !== undefined ? { payload: options.payload } : {}),
    });
    const isJson = /json/.test(String(response.headers['content-type']));
    return {
      status: response.statusCode,
      headers: response.headers,
      body: isJson ? (JSON.parse(response.body) as unknown) : response.body,
    };
  };
  const withToken = (headers: Record<string, string>): Record<string, string> => ({
    authorization: `Bearer ${token}`,
    ...headers,
  });

  const expectScimError = (response: ScimResponse, status: number, scimType?: string): void => {
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toBe(SCIM_CONTENT_TYPE);
    expect(response.body).toEqual({
      schemas: [ERROR_SCHEMA],
      status: String(status),
      ...(scimType ? { scimType } : {}),
      detail: expect.any(String),
    });
  };

  beforeAll(async () => {
    gateway = await startTestApp(createScimApp);
    await gateway.app.get(TenantsService).create({ slug: 'acme', name: 'Acme', domains: [], signIn: 'jit' });
    ({ token } = await gateway.app.get(ScimTokensService).issue('acme', {}));
  });
  afterAll(() => gateway.close());

  describe('authentication', () => {
    const issueToken = async (): Promise<{ id: string; token: string }> =>
      gateway.app.get(ScimTokensService).issue('acme', {});

    it.each([
      ['no Authorization header', () => Promise.resolve({})],
      [
        'another scheme',
        () => Promise.resolve({ authorization: `Basic ${Buffer.from('acme:secret').toString('base64')}` }),
      ],
      ['an empty bearer', () => Promise.resolve({ authorization: 'Bearer ' })],
      ['the token without a scheme', () => Promise.resolve({ authorization: token })],
      [
        'an unknown token',
        () => Promise.resolve({ authorization: 'Bearer gws_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }),
      ],
      [
        'a revoked token',
        async () => {
          const revoked = await issueToken();
          await gateway.app.get(ScimTokensService).revoke('acme', revoked.id);
          return { authorization: `Bearer ${revoked.token}` };
        },
      ],
      [
        'an expired token',
        async () => {
          const expired = await issueToken();
          await gateway.db.query(`UPDATE scim_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [
            expired.id,
          ]);
          return { authorization: `Bearer ${expired.token}` };
        },
      ],
    ])(
      'refuses %s with 401, a SCIM error body and a Bearer challenge',
      async (_case, headersOf: () => Promise<Record<string, string>>) => {
        const response = await send('GET', '/scim/v2/ServiceProviderConfig', { headers: await headersOf() });
        expectScimError(response, 401);
        expect(response.headers['www-authenticate']).toBe('Bearer realm="SCIM"');
      },
    );

    it('guards every discovery endpoint', async () => {
      for (const url of [
        '/scim/v2/ServiceProviderConfig',
        '/scim/v2/ResourceTypes',
        '/scim/v2/ResourceTypes/User',
        '/scim/v2/Schemas',
      ]) {
        expectScimError(await send('GET', url, { headers: {} }), 401);
      }
    });

    it('admits a valid token, with the scheme in any case (RFC 7235 §2.1)', async () => {
      expect((await send('GET', '/scim/v2/ServiceProviderConfig')).status).toBe(200);
      expect(
        (await send('GET', '/scim/v2/ServiceProviderConfig', { headers: { authorization: `bearer ${token}` } })).status,
      ).toBe(200);
    });

    it('refuses a token once it is revoked, at once', async () => {
      const issued = await issueToken();
      const headers = { authorization: `Bearer ${issued.token}` };
      expect((await send('GET', '/scim/v2/Schemas', { headers })).status).toBe(200);
      await gateway.app.get(ScimTokensService).revoke('acme', issued.id);
      expectScimError(await send('GET', '/scim/v2/Schemas', { headers }), 401);
    });
  });

  describe('request bodies', () => {
    // No SCIM route takes a body yet: POST to a GET-only route reaches the
    // body parser first, so 405 proves the body was read and accepted.
    it.each([
      'application/scim+json',
      'application/scim+json; charset=utf-8',
      'application/json',
      'application/json; charset=utf-8',
    ])('reads %s', async (contentType) => {
      const response = await send('POST', '/scim/v2/Schemas', {
        headers: withToken({ 'content-type': contentType }),
        payload: '{"schemas":[]}',
      });
      expectScimError(response, 405);
    });

    it.each(['application/scim+json; charset=utf-8', 'application/json'])(
      'refuses malformed JSON sent as %s with 400 invalidSyntax',
      async (contentType) => {
        const response = await send('POST', '/scim/v2/Schemas', {
          headers: withToken({ 'content-type': contentType }),
          payload: '{"userName": "x",',
        });
        expectScimError(response, 400, 'invalidSyntax');
        expect(response.body.detail).toBe('the request body is not valid JSON');
      },
    );

    it('refuses a body with a prototype-poisoning key as invalid syntax', async () => {
      const response = await send('POST', '/scim/v2/Schemas', {
        headers: withToken({ 'content-type': 'application/scim+json' }),
        payload: '{"__proto__": {"admin": true}}',
      });
      expectScimError(response, 400, 'invalidSyntax');
    });

    it('treats an empty body with a Content-Type as no body (clients send one on DELETE)', async () => {
      const response = await send('DELETE', '/scim/v2/Schemas', {
        headers: withToken({ 'content-type': 'application/scim+json' }),
      });
      expectScimError(response, 405);
    });

    // RFC 7644 §3.8: SCIM bodies are JSON; Okta's SPEC test creates its user without a Content-Type.
    it.each([
      [
        'POST',
        '/scim/v2/Users',
        '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"no-type"}',
        201,
      ],
      [
        'POST',
        '/scim/v2/Users/.search',
        '{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"userName eq \\"no-type\\""}',
        200,
      ],
      [
        'POST',
        '/scim/v2/.search',
        '{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"userName eq \\"no-type\\""}',
        200,
      ],
    ] as const)('reads a body without Content-Type as JSON: %s %s', async (method, url, payload, status) => {
      const response = await send(method, url, { headers: withToken({}), payload });
      expect(response.status).toBe(status);
      expect(response.headers['content-type']).toBe(SCIM_CONTENT_TYPE);
      if (status === 200) expect(response.body.totalResults).toBe(1);
    });

    it('reads PUT and PATCH bodies without Content-Type as JSON', async () => {
      const created = await send('POST', '/scim/v2/Users', {
        headers: withToken({}),
        payload: JSON.stringify({ userName: 'typeless-change' }),
      });
      expect(created.status).toBe(201);
      const put = await send('PUT', `/scim/v2/Users/${created.body.id}`, {
        headers: withToken({}),
        payload: JSON.stringify({ userName: 'typeless-change', displayName: 'Put' }),
      });
      expect(put.status).toBe(200);
      expect(put.body.displayName).toBe('Put');
      const patched = await send('PATCH', `/scim/v2/Users/${created.body.id}`, {
        headers: withToken({}),
        payload: JSON.stringify({ Operations: [{ op: 'replace', path: 'displayName', value: 'Patched' }] }),
      });
      expect(patched.status).toBe(200);
      expect(patched.body.displayName).toBe('Patched');
    });

    it('refuses malformed JSON without Content-Type with 400 invalidSyntax, creating nothing', async () => {
      const response = await send('POST', '/scim/v2/Users', { headers: withToken({}), payload: 'userName=x' });
      expectScimError(response, 400, 'invalidSyntax');
    });

    it.each(['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'text/json', 'not a media type'])(
      'refuses a body sent as %s with a SCIM 415, creating nothing',
      async (contentType) => {
        const response = await send('POST', '/scim/v2/Users', {
          headers: withToken({ 'content-type': contentType }),
          payload: '{"userName":"wrong-type"}',
        });
        expectScimError(response, 415);
        const lookup = await send('GET', '/scim/v2/Users?filter=userName%20eq%20%22wrong-type%22');
        expect(lookup.body.totalResults).toBe(0);
      },
    );

    it('refuses a body over 1 MiB with 413 and no scimType', async () => {
      const payload = JSON.stringify({ userName: 'x'.repeat(1024 * 1024) });
      const response = await send('POST', '/scim/v2/Schemas', {
        headers: withToken({ 'content-type': 'application/scim+json' }),
        payload,
      });
      expectScimError(response, 413);
      expect(response.body.detail).toContain('1048576');
    });
  });

  describe('routing', () => {
    it.each(['/scim/v2/Nothing', '/scim/v2/schemas', '/scim/v2/ResourceTypes/User/extra', '/', '/scim/v1/Users'])(
      'answers an unknown path (%s) with a SCIM 404',
      async (url) => {
        const response = await send('GET', url);
        expectScimError(response, 404);
        expect(response.body.detail).toContain(url.split('?')[0]);
      },
    );

    it('leaves the query string out of the 404 detail (filters carry user names)', async () => {
      const response = await send('GET', '/scim/v2/Nothing?filter=userName%20eq%20%22ann%40acme.com%22');
      expectScimError(response, 404);
      expect(response.body.detail).not.toContain('ann');
    });

    it('answers a known path with the wrong method with 405 and Allow (RFC 9110 §15.5.6)', async () => {
      const response = await send('PUT', '/scim/v2/ResourceTypes/User', {
        headers: withToken({ 'content-type': 'application/scim+json' }),
        payload: '{}',
      });
      expectScimError(response, 405);
      expect(response.headers.allow).toBe('GET, HEAD');
    });

    it('sets the SCIM media type and the request id on success too', async () => {
      const response = await send('GET', '/scim/v2/ServiceProviderConfig', {
        headers: withToken({ 'x-request-id': 'req-123' }),
      });
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe(SCIM_CONTENT_TYPE);
      expect(response.headers['x-request-id']).toBe('req-123');
    });
  });

  describe('probes keep their own rendering and need no token', () => {
    it('answers /health/ready with terminus JSON', async () => {
      const response = await send('GET', '/health/ready', { headers: {} });
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      // The SCIM app serves without Redis: its readiness is PostgreSQL's alone.
      expect(response.body).toMatchObject({ status: 'ok', info: { postgres: { status: 'up' } } });
      expect(response.body.info).not.toHaveProperty('redis');
    });

    it('answers /health/live', async () => {
      const response = await send('GET', '/health/live', { headers: {} });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ status: 'ok' });
    });

    it('answers /metrics with Prometheus text', async () => {
      const response = await send('GET', '/metrics', { headers: {} });
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(response.body).toContain('http_requests_total');
    });

    it("renders an unknown probe path in Nest's shape, not SCIM's", async () => {
      const response = await send('GET', '/health/nothing', { headers: {} });
      expect(response.status).toBe(404);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.body).toEqual({ statusCode: 404, message: 'Cannot GET /health/nothing', error: 'Not Found' });
    });
  });
});
