import type { DispatcherFetch, HostLookup, ResolvedConfig } from '@app/platform';
import { IdentityError } from '../errors/identity-error';
import { IssuerDiscovery, OidcClientSettings } from './issuer-discovery';

const ISSUER = 'https://idp.example.test';

/** Names and the addresses a resolver stub gives them; nothing leaves the process. */
const ADDRESSES: Record<string, string[]> = {
  'idp.example.test': ['93.184.216.34'],
  'keys.example.test': ['93.184.216.35', '2606:4700:4700::1111'],
  'internal.example.test': ['10.1.2.3'],
  'metadata.example.test': ['169.254.169.254'],
  'rebound.example.test': ['93.184.216.36', '127.0.0.1'],
};

function discoveryDocument(overrides: Record<string, string> = {}): Record<string, unknown> {
  return {
    issuer: ISSUER,
    authorization_endpoint: `${ISSUER}/authorize`,
    token_endpoint: `${ISSUER}/token`,
    userinfo_endpoint: `${ISSUER}/userinfo`,
    jwks_uri: 'https://keys.example.test/jwks',
    end_session_endpoint: `${ISSUER}/logout`,
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    ...overrides,
  };
}

/** IssuerDiscovery over an in-process IdP: a fetch answering the discovery document and a resolver stub. */
function setup(options: { allowPrivateNetworks?: boolean; document?: Record<string, unknown>; lookup?: boolean } = {}) {
  const asked: string[] = [];
  const lookup: HostLookup = (hostname) => {
    asked.push(hostname);
    const addresses = ADDRESSES[hostname];
    if (!addresses)
      return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
    return Promise.resolve(addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  };
  const fetch = jest.fn<ReturnType<DispatcherFetch>, Parameters<DispatcherFetch>>((url) =>
    Promise.resolve(
      url === `${ISSUER}/.well-known/openid-configuration`
        ? Response.json(options.document ?? discoveryDocument())
        : new Response('not here', { status: 404 }),
    ),
  );
  const config = {
    allowHttpIssuers: true,
    allowPrivateNetworks: options.allowPrivateNetworks ?? false,
  } as ResolvedConfig;
  const discovery = new IssuerDiscovery(config, { fetch, ...(options.lookup === false ? {} : { lookup }) });
  return { discovery, fetch, asked };
}

const settings = (issuer: string): OidcClientSettings => ({
  issuer,
  clientId: 'gateway',
  clientSecret: 'secret',
  tokenEndpointAuthMethod: 'client_secret_basic',
});

async function refusal(promise: Promise<unknown>): Promise<IdentityError> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(IdentityError);
  expect((error as IdentityError).code).toBe('unprocessable');
  return error as IdentityError;
}

describe('IssuerDiscovery address checks', () => {
  it('accepts an issuer whose document points only at public addresses, fetching it through the transport', async () => {
    const { discovery, fetch, asked } = setup();
    const configuration = await discovery.configure(settings(ISSUER));
    expect(configuration.serverMetadata().token_endpoint).toBe(`${ISSUER}/token`);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(asked).toEqual(expect.arrayContaining(['idp.example.test', 'keys.example.test']));
  });

  it('refuses an issuer whose name resolves to a private address, and never fetches it', async () => {
    const { discovery, fetch, asked } = setup();
    const error = await refusal(discovery.configure(settings('https://internal.example.test/oauth2/default')));
    expect(error.message).toMatch(
      /^the issuer is refused: https:\/\/internal\.example\.test\/oauth2\/default resolves to a private address: 10\.1\.2\.3 is a private network address/,
    );
    expect(error.message).not.toMatch(/ECONNREFUSED|connect/);
    expect(asked).toEqual(['internal.example.test']);
    expect(fetch).not.toHaveBeenCalled();
  });

  it.each([
    ['https://10.0.0.1', /10\.0\.0\.1 is a private network address/],
    ['https://169.254.169.254', /169\.254\.169\.254 is a link-local address/],
    ['http://127.0.0.1:8080', /127\.0\.0\.1 is a loopback address/],
    ['https://[::1]', /::1 is a loopback address/],
    ['https://[::ffff:127.0.0.1]', /::ffff:7f00:1 is a loopback address/],
    ['https://metadata.example.test', /resolves to a private address: 169\.254\.169\.254/],
    ['https://rebound.example.test', /resolves to a private address: 127\.0\.0\.1/],
  ])('refuses the issuer %s without fetching anything', async (issuer, why) => {
    const { discovery, fetch } = setup();
    const error = await refusal(discovery.configure(settings(issuer)));
    expect(error.message).toMatch(/^the issuer is refused: /);
    expect(error.message).toMatch(why);
    expect(fetch).not.toHaveBeenCalled();
  });

  it('refuses localhost, resolved by the system resolver, without fetching anything', async () => {
    const { discovery, fetch } = setup({ lookup: false });
    const error = await refusal(discovery.configure(settings('http://localhost:3001')));
    expect(error.message).toMatch(/^the issuer is refused: http:\/\/localhost:3001\/ resolves to a private address/);
    expect(fetch).not.toHaveBeenCalled();
  });

  it.each([
    ['token_endpoint', 'https://internal.example.test/token'],
    ['userinfo_endpoint', 'https://10.0.0.5/userinfo'],
    ['jwks_uri', 'https://metadata.example.test/keys'],
    ['end_session_endpoint', 'http://127.0.0.1:9/logout'],
  ])('refuses a document whose %s is on a private address', async (endpoint, url) => {
    const { discovery } = setup({ document: discoveryDocument({ [endpoint]: url }) });
    const error = await refusal(discovery.configure(settings(ISSUER)));
    expect(error.message).toMatch(
      new RegExp(`^the discovery document's ${endpoint} is refused: ${url.replace(/[.?/]/g, '\\$&')}`),
    );
    expect(error.message).toMatch(/private address/);
  });

  it('checks nothing when private networks are allowed', async () => {
    const { discovery, asked } = setup({
      allowPrivateNetworks: true,
      document: discoveryDocument({ token_endpoint: 'http://127.0.0.1:9/token' }),
    });
    await expect(discovery.configure(settings(ISSUER))).resolves.toBeDefined();
    expect(asked).toEqual([]);
  });
});

describe('IssuerDiscovery with a stored (pinned) document', () => {
  it('discover returns the checked document; fromMetadata builds the configuration from it with no request', async () => {
    const { discovery, fetch } = setup();
    const metadata = await discovery.discover(settings(ISSUER));
    expect(metadata).toMatchObject({ issuer: ISSUER, token_endpoint: `${ISSUER}/token` });
    expect(fetch).toHaveBeenCalledTimes(1);
    // Stored as JSON and read back, as the connection's row does.
    const stored = JSON.parse(JSON.stringify(metadata)) as typeof metadata;
    const configuration = discovery.fromMetadata(settings(ISSUER), stored);
    expect(configuration.serverMetadata()).toMatchObject({
      issuer: ISSUER,
      authorization_endpoint: `${ISSUER}/authorize`,
      token_endpoint: `${ISSUER}/token`,
    });
    expect(configuration.clientMetadata()).toMatchObject({
      client_id: 'gateway',
      token_endpoint_auth_method: 'client_secret_basic',
    });
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('assertStillPublic checks the stored addresses again without fetching the document', async () => {
    const { discovery, fetch, asked } = setup();
    await expect(discovery.assertStillPublic(discoveryDocument() as never)).resolves.toBeUndefined();
    expect(asked).toEqual(expect.arrayContaining(['idp.example.test', 'keys.example.test']));
    const error = await refusal(
      discovery.assertStillPublic(discoveryDocument({ token_endpoint: 'http://127.0.0.1:9/token' }) as never),
    );
    expect(error.message).toMatch(/^the discovery document's token_endpoint is refused: /);
    expect(fetch).not.toHaveBeenCalled();
  });
});
