import { createServer } from 'node:http';
import type { LookupFunction } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { Agent, fetch as undiciFetch } from 'undici';
import { IdpTransport, IssuerDiscovery } from '@app/identity/oidc-connections/issuer-discovery';
import { HostLookup, fetchThrough, guardedDispatcher, systemLookup } from '@app/platform';

/** The name the public IdP goes by; it resolves, for the gateway's checks, to a public address. */
export const PUBLIC_IDP_HOST = 'idp.public.example';
/** A global unicast address (example.com's): what the public IdP's name resolves to in the checks. */
const PUBLIC_ADDRESS = '93.184.216.34';

/**
 * A tenant's IdP "on the Internet", for tests of the outbound address rules with
 * ALLOW_PRIVATE_NETWORKS off: its discovery document is served on loopback, under
 * a name the gateway's checks see as a public address. Only requests to that name
 * take the shortcut to loopback (see `reachThroughPublicInternet`); every other
 * address goes through the gateway's real guarded transport, so a loopback endpoint
 * named in the document is refused exactly as in production.
 */
export interface PublicIdp {
  /** `http://idp.public.example:PORT` */
  readonly issuer: string;
  /** The discovery document it serves now: a usable provider's, with `overrides` merged over it. */
  serve(overrides?: Record<string, unknown>): void;
  /** TCP connections made to it so far. */
  connections(): number;
  /** Requests for its discovery document so far. */
  documentRequests(): number;
  close(): Promise<void>;
}

export async function startPublicIdp(): Promise<PublicIdp> {
  let document: Record<string, unknown> = {};
  let connections = 0;
  let documentRequests = 0;
  const server = createServer((request, response) => {
    if (new URL(request.url ?? '/', 'http://idp').pathname === '/.well-known/openid-configuration') {
      documentRequests += 1;
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(document));
      return;
    }
    response.writeHead(404).end();
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://${PUBLIC_IDP_HOST}:${(server.address() as AddressInfo).port}`;
  const serve = (overrides: Record<string, unknown> = {}) => {
    document = {
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      userinfo_endpoint: `${issuer}/userinfo`,
      jwks_uri: `${issuer}/jwks`,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      ...overrides,
    };
  };
  serve();
  return {
    issuer,
    serve,
    connections: () => connections,
    documentRequests: () => documentRequests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Gives the app's IdP transport a way to the public IdP: its name resolves to a
 * public address for the checks, and its requests reach the loopback server. Any
 * other address goes through the gateway's own guarded dispatcher (with
 * ALLOW_PRIVATE_NETWORKS off), as the app would without this.
 */
export function reachThroughPublicInternet(app: INestApplication): void {
  const lookup: HostLookup = (hostname) =>
    hostname === PUBLIC_IDP_HOST ? Promise.resolve([{ address: PUBLIC_ADDRESS, family: 4 }]) : systemLookup(hostname);
  const toLoopback: LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
    else callback(null, '127.0.0.1', 4);
  };
  const internet = new Agent({ connect: { lookup: toLoopback } });
  const guarded = fetchThrough(guardedDispatcher({ allowPrivateNetworks: false, lookup }));
  const transport: IdpTransport = {
    lookup,
    fetch: (url, init) =>
      new URL(url).hostname === PUBLIC_IDP_HOST
        ? undiciFetch(url, { ...init, dispatcher: internet })
        : guarded(url, init),
  };
  // The transport is fixed when the app is built; tests stand in for the Internet here only.
  Object.assign(app.get(IssuerDiscovery, { strict: false }), { transport });
}
