/**
 * The only way the pages talk to the gateway: same-origin JSON requests that
 * carry the session cookie, and the session's CSRF token on every change.
 */

/** An error answer of the admin API (`{error: {code, message}}`), or a network failure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: unknown = undefined,
  ) {
    super(message);
  }
}

type Listener = () => void;

/** A client bound to one session kind: it knows the CSRF token and who to tell when the session is gone. */
export class Api {
  private csrfToken: string | null = null;
  private readonly expiredListeners = new Set<Listener>();

  setCsrfToken(token: string | null): void {
    this.csrfToken = token;
  }

  /** Called on any 401: the link or sign-in has expired, and the app shows how to start again. */
  onExpired(listener: Listener): () => void {
    this.expiredListeners.add(listener);
    return () => this.expiredListeners.delete(listener);
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  put<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }

  patch<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body);
  }

  delete<T = void>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  /** A text body (the setup guide's Markdown), same rules as JSON. */
  async text(path: string): Promise<string> {
    const response = await this.send('GET', path, undefined, 'text/markdown, text/plain');
    return response.text();
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(method, path, body, 'application/json');
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  private async send(method: string, path: string, body: unknown, accept: string): Promise<Response> {
    const headers: Record<string, string> = { accept };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && method !== 'HEAD' && this.csrfToken) headers['x-csrf-token'] = this.csrfToken;
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
        cache: 'no-store',
      });
    } catch {
      throw new ApiError(0, 'network', 'The gateway could not be reached. Check your connection and try again.');
    }
    if (response.ok) return response;
    const parsed: unknown = await response
      .clone()
      .json()
      .catch(() => undefined);
    const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
    if (response.status === 401) for (const listener of this.expiredListeners) listener();
    throw new ApiError(
      response.status,
      error?.code ?? `http_${response.status}`,
      error?.message ?? `The gateway answered ${response.status} ${response.statusText}`.trim(),
      parsed,
    );
  }
}

/** Path segment encoding for slugs, ids and domains in URLs. */
export const seg = (value: string): string => encodeURIComponent(value);
