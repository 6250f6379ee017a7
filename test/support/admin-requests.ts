import { NestFastifyApplication } from '@nestjs/platform-fastify';

/** A response from the admin API, its body parsed. */
export interface AdminResponse<Body = any> {
  readonly status: number;
  readonly headers: Record<string, unknown>;
  readonly body: Body;
}

/** Sends admin API requests to an app in-process (no socket), as the operator would over HTTP. */
export function adminRequests(app: NestFastifyApplication, token: string) {
  const send = async (
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    body?: unknown,
    headers: Record<string, string> = { authorization: `Bearer ${token}` },
  ): Promise<AdminResponse> => {
    const response = await app.inject({
      method,
      url,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      payload: typeof body === 'string' ? body : body === undefined ? undefined : JSON.stringify(body),
    });
    return {
      status: response.statusCode,
      headers: response.headers,
      body: response.body === '' ? undefined : (JSON.parse(response.body) as unknown),
    };
  };
  return {
    send,
    get: (url: string) => send('GET', url),
    post: (url: string, body?: unknown) => send('POST', url, body),
    patch: (url: string, body?: unknown) => send('PATCH', url, body),
    put: (url: string, body?: unknown) => send('PUT', url, body),
    delete: (url: string) => send('DELETE', url),
  };
}
