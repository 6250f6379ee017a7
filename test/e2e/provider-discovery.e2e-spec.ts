import { SigningKeysService } from '@app/identity';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { registerProduct } from '../support/product-rp';
import { SignInGateway, startSignInGateway } from '../support/sign-in-gateway';

describe('the OpenID Provider: discovery and client credentials', () => {
  let gw: SignInGateway;

  beforeAll(async () => {
    gw = await startSignInGateway();
    await gw.tenant('acme');
  });
  afterAll(() => gw?.close());

  it('publishes a discovery document whose issuer is PUBLIC_URL and whose keys are the gateway JWKS', async () => {
    const response = await fetch(`${gw.publicUrl}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      issuer: gw.publicUrl,
      authorization_endpoint: `${gw.publicUrl}/oidc/authorize`,
      token_endpoint: `${gw.publicUrl}/oidc/token`,
      userinfo_endpoint: `${gw.publicUrl}/oidc/userinfo`,
      end_session_endpoint: `${gw.publicUrl}/oidc/logout`,
      jwks_uri: `${gw.publicUrl}/.well-known/jwks.json`,
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
      code_challenge_methods_supported: ['S256'],
      id_token_signing_alg_values_supported: ['ES256'],
    });
    expect(metadata.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials']),
    );
    expect(metadata.scopes_supported).toEqual(
      expect.arrayContaining(['openid', 'offline_access', 'profile', 'email', 'groups']),
    );
    expect(metadata.claims_supported).toEqual(
      expect.arrayContaining([
        'sub',
        'email',
        'email_verified',
        'name',
        'given_name',
        'family_name',
        'org',
        'org_id',
        'roles',
        'teams',
        'groups',
      ]),
    );
    // None of the provider's routes takes today's /auth/* paths.
    for (const value of Object.values(metadata)) {
      if (typeof value === 'string' && value.startsWith(gw.publicUrl)) expect(value).not.toContain('/auth/');
    }
  });

  it('builds its URLs from PUBLIC_URL whatever Host the request names', async () => {
    const response = await fetch(`${gw.publicUrl}/.well-known/openid-configuration`, {
      headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
    });
    const metadata = (await response.json()) as { token_endpoint: string };
    expect(metadata.token_endpoint).toBe(`${gw.publicUrl}/oidc/token`);
  });

  it('gives a client-credentials product a JWT for the products API without a resource parameter', async () => {
    const product = await registerProduct(gw.admin, gw.publicUrl, {
      name: 'Reporting',
      grantTypes: ['client_credentials'],
      tenants: ['acme'],
    });
    const tokens = await oidc.clientCredentialsGrant(product.config, { scope: 'events:read directory:read' });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.scope?.split(' ').sort()).toEqual(['directory:read', 'events:read']);
    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    const jwks = createRemoteJWKSet(new URL(`${gw.publicUrl}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(tokens.access_token, jwks, {
      issuer: gw.publicUrl,
      audience: `${gw.publicUrl}/api/v1`,
    });
    expect(payload).toMatchObject({
      client_id: product.clientId,
      scope: 'events:read directory:read',
      tenants: ['acme'],
    });
    expect(payload.sub).toBe(product.clientId);
  });

  it('signs with the key the gateway rotates to, and its JWKS still verifies tokens of the key before', async () => {
    const product = await registerProduct(gw.admin, gw.publicUrl, {
      name: 'Rotation',
      grantTypes: ['client_credentials'],
    });
    const before = await oidc.clientCredentialsGrant(product.config, { scope: 'events:read' });
    const newKid = await gw.oidc.get(SigningKeysService).rotate();
    const after = await oidc.clientCredentialsGrant(product.config, { scope: 'events:read' });
    expect(decodeProtectedHeader(after.access_token).kid).toBe(newKid);
    expect(decodeProtectedHeader(before.access_token).kid).not.toBe(newKid);
    const jwks = createRemoteJWKSet(new URL(`${gw.publicUrl}/.well-known/jwks.json`), { cacheMaxAge: 0 });
    for (const token of [before.access_token, after.access_token]) {
      await expect(
        jwtVerify(token, jwks, { issuer: gw.publicUrl, audience: `${gw.publicUrl}/api/v1` }),
      ).resolves.toBeDefined();
    }
  });

  it('takes the client secret in the form body as well as in the Authorization header', async () => {
    const product = await registerProduct(gw.admin, gw.publicUrl, {
      name: 'Reporting (post)',
      grantTypes: ['client_credentials'],
    });
    const response = await fetch(`${gw.publicUrl}/oidc/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: product.clientId,
        client_secret: product.clientSecret!,
        scope: 'events:read',
      }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { scope: string }).scope).toBe('events:read');
  });

  it('grants the products API scopes when a client-credentials request names none', async () => {
    const product = await registerProduct(gw.admin, gw.publicUrl, {
      name: 'Reporting (no scope)',
      grantTypes: ['client_credentials'],
    });
    const response = await fetch(`${gw.publicUrl}/oidc/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${product.clientId}:${product.clientSecret}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { scope: string }).scope).toBe('events:read directory:read');

    const tooLarge = await fetch(`${gw.publicUrl}/oidc/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&padding=${'x'.repeat(60 * 1024)}`,
    });
    expect(tooLarge.status).toBe(400);
    expect(await tooLarge.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('refuses a wrong secret, a rotated one and a client without the grant, and grants no scope beyond the API', async () => {
    const product = await registerProduct(gw.admin, gw.publicUrl, {
      name: 'Metrics',
      grantTypes: ['client_credentials'],
    });
    const token = (body: Record<string, string>, secret = product.clientSecret!) =>
      fetch(`${gw.publicUrl}/oidc/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${product.clientId}:${secret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', ...body }),
      });
    const wrong = await token({ scope: 'events:read' }, 'gwcs_wrong');
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });

    // RFC 6749 §3.3: a scope the API does not have is left out of the token, never granted.
    const tooMuch = await token({ scope: 'events:read events:write' });
    expect(tooMuch.status).toBe(200);
    expect(((await tooMuch.json()) as { scope?: string }).scope).toBe('events:read');

    const rotated = await gw.admin.post(`/admin/v1/clients/${product.clientId}/secret`);
    expect((await token({ scope: 'events:read' })).status).toBe(401);
    expect((await token({ scope: 'events:read' }, rotated.body.clientSecret)).status).toBe(200);

    const signInOnly = await registerProduct(gw.admin, gw.publicUrl, {
      name: 'Web app',
      redirectUris: ['http://127.0.0.1:9/cb'],
    });
    const refused = await oidc
      .clientCredentialsGrant(signInOnly.config, { scope: 'events:read' })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ error_description: 'requested grant type is not allowed for this client' });
  });
});
