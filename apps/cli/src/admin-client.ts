/** An error answered by the admin API, with its stable code. */
export class AdminApiError extends Error {
  override readonly name = 'AdminApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A thin typed client of the admin API (`/admin/v1`). */
export class AdminClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  /** Sends one request; a non-2xx answer becomes an AdminApiError with the API's code and message. */
  async request<T>(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}/admin/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      throw new AdminApiError(
        0,
        'unreachable',
        `cannot reach the admin API at ${this.baseUrl}: ${(error as Error).message}`,
      );
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    const parsed = safeJson(text);
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new AdminApiError(
        response.status,
        error?.code ?? 'http_error',
        error?.message ?? `HTTP ${response.status}`,
      );
    }
    return parsed as T;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
