import { IncomingMessage, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import { discoverAs } from './product-rp';

/** A product's web app on loopback that signs its users in through the gateway, as any openid-client RP would. */
export interface ProductApp {
  readonly url: string;
  readonly redirectUri: string;
  readonly backchannelLogoutUri: string;
  readonly signedOutUri: string;
  /** Logout tokens received at the back-channel endpoint, as sent. */
  readonly logoutTokens: string[];
  /** Call once the product is registered: discovers the gateway as this client. */
  connect(publicUrl: string, clientId: string, clientSecret: string): Promise<void>;
  close(): Promise<void>;
}

interface Pending {
  readonly verifier: string;
  readonly nonce: string;
}

/**
 * `/login` starts a sign-in (code flow, PKCE, state, nonce; `?organization=`
 * passes on), `/callback` finishes it and shows who signed in, `/logout` goes
 * to the gateway's end-session endpoint, `/backchannel` takes logout tokens.
 */
export async function startProductApp(name: string): Promise<ProductApp> {
  const pending = new Map<string, Pending>();
  const logoutTokens: string[] = [];
  let config: oidc.Configuration | undefined;
  let lastIdToken: string | undefined;
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => page(res, 500, `<p id="error">${String(error)}</p>`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const redirectUri = `${url}/callback`;
  const signedOutUri = `${url}/signed-out`;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestUrl = new URL(req.url ?? '/', url);
    if (requestUrl.pathname === '/login') {
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      pending.set(state, { verifier, nonce });
      const organization = requestUrl.searchParams.get('organization');
      const authorize = oidc.buildAuthorizationUrl(config!, {
        redirect_uri: redirectUri,
        scope: 'openid profile email',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        ...(organization ? { organization } : {}),
      });
      res.writeHead(302, { location: authorize.href }).end();
      return;
    }
    if (requestUrl.pathname === '/callback') {
      const state = requestUrl.searchParams.get('state') ?? '';
      const started = pending.get(state);
      if (!started) return page(res, 400, '<p id="error">unknown state</p>');
      pending.delete(state);
      const tokens = await oidc.authorizationCodeGrant(config!, requestUrl, {
        pkceCodeVerifier: started.verifier,
        expectedState: state,
        expectedNonce: started.nonce,
      });
      const claims = tokens.claims() as { email?: string; org?: string };
      lastIdToken = tokens.id_token;
      return page(
        res,
        200,
        `<p id="who">${claims.email ?? '?'} of ${claims.org ?? '?'} in ${name}</p><a id="logout" href="/logout">Log out</a>`,
      );
    }
    if (requestUrl.pathname === '/logout') {
      const end = oidc.buildEndSessionUrl(config!, {
        post_logout_redirect_uri: signedOutUri,
        ...(lastIdToken ? { id_token_hint: lastIdToken } : {}),
      });
      res.writeHead(302, { location: end.href }).end();
      return;
    }
    if (requestUrl.pathname === '/signed-out') return page(res, 200, `<p id="signed-out">Signed out of ${name}</p>`);
    if (requestUrl.pathname === '/backchannel' && req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const token = new URLSearchParams(Buffer.concat(chunks).toString()).get('logout_token');
      if (token) logoutTokens.push(token);
      res.writeHead(token ? 200 : 400).end();
      return;
    }
    page(res, 404, '<p>not found</p>');
  }

  return {
    url,
    redirectUri,
    backchannelLogoutUri: `${url}/backchannel`,
    signedOutUri,
    logoutTokens,
    async connect(publicUrl, clientId, clientSecret) {
      config = await discoverAs(publicUrl, clientId, clientSecret);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function page(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html><head><meta charset="utf-8"><title>Product</title></head><body>${body}</body></html>`);
}
