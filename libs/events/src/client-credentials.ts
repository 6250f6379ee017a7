/** A product's registration at the gateway: its client-credentials client. */
export interface ClientCredentialsOptions {
  /** The gateway's PUBLIC_URL (its issuer). */
  readonly gatewayUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Scopes to ask for (default both products API scopes). */
  readonly scope?: string;
  /** The fetch to use (default the global one). */
  readonly fetch?: typeof fetch;
}

/** Renew a token this long before it expires. */
const EARLY_MS = 30_000;

/**
 * Access tokens for the gateway's products API, by the client-credentials grant at
 * the token endpoint its discovery document names; kept until shortly before they expire.
 */
export class ClientCredentials {
  private tokenEndpoint: string | undefined;
  private current: { token: string; expiresAt: number } | undefined;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: ClientCredentialsOptions) {
    this.fetch = options.fetch ?? fetch;
  }

  /** A valid access token (a new one with `renew`, e.g. after a 401). */
  async token(renew = false): Promise<string> {
    if (!renew && this.current && this.current.expiresAt - EARLY_MS > Date.now()) return this.current.token;
    const endpoint = await this.endpoint();
    const basic = Buffer.from(
      `${encodeURIComponent(this.options.clientId)}:${encodeURIComponent(this.options.clientSecret)}`,
    ).toString('base64');
    const response = await this.fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        scope: this.options.scope ?? 'events:read directory:read',
      }).toString(),
    });
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok || typeof body.access_token !== 'string') {
      throw new Error(
        `the token endpoint answered ${response.status}: ${describe(body.error_description ?? body.error)}`,
      );
    }
    const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : 300;
    this.current = { token: body.access_token, expiresAt: Date.now() + expiresIn * 1000 };
    return body.access_token;
  }

  private async endpoint(): Promise<string> {
    if (this.tokenEndpoint) return this.tokenEndpoint;
    const url = `${this.options.gatewayUrl.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    const response = await this.fetch(url);
    const discovery = (await response.json().catch(() => ({}))) as { token_endpoint?: unknown };
    if (!response.ok || typeof discovery.token_endpoint !== 'string') {
      throw new Error(`no token endpoint in the gateway's discovery document (${response.status})`);
    }
    this.tokenEndpoint = discovery.token_endpoint;
    return discovery.token_endpoint;
  }
}

function describe(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
