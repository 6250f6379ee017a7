import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { ResolvedConfig } from '@app/platform';
import { DOWNSTREAM_TOKEN_AUDIENCE, DownstreamTokenIssuer, DownstreamTokenInput } from './downstream-token.issuer';
import { generateSigningKey, importSigningKey } from './signing-key-material';
import { ActiveSigningKey, SigningKeysService } from './signing-keys.service';

describe('DownstreamTokenIssuer', () => {
  const input: DownstreamTokenInput = {
    userId: '0d9b2c1e-4f7a-4b8e-9c3d-2a1f5e6b7c8d',
    tenantSlug: 'acme',
    email: 'ann@acme.com',
    name: 'Ann Example',
    roles: ['admin'],
    teams: ['billing', 'support'],
    sessionId: 'sess-1',
  };
  let issuer: DownstreamTokenIssuer;
  let jwks: ReturnType<typeof createLocalJWKSet>;
  let active: ActiveSigningKey;

  beforeAll(async () => {
    const key = await generateSigningKey();
    active = { kid: key.kid, alg: key.alg, privateKey: await importSigningKey(key.privateJwk, key.alg) };
    jwks = createLocalJWKSet({ keys: [key.publicJwk] });
    const signingKeys = { activeKey: () => Promise.resolve(active) } as unknown as SigningKeysService;
    issuer = new DownstreamTokenIssuer(signingKeys, { publicUrl: 'https://login.example.com/' } as ResolvedConfig);
  });

  it('signs a five-minute token with the claims downstream products read', async () => {
    const { accessToken, expiresIn } = await issuer.issue(input);
    const { payload, protectedHeader } = await jwtVerify(accessToken, jwks, {
      issuer: 'https://login.example.com',
      audience: DOWNSTREAM_TOKEN_AUDIENCE,
    });
    expect(expiresIn).toBe(300);
    expect(protectedHeader).toEqual({ alg: 'ES256', kid: active.kid, typ: 'JWT' });
    expect(payload).toEqual({
      iss: 'https://login.example.com',
      sub: input.userId,
      aud: DOWNSTREAM_TOKEN_AUDIENCE,
      iat: expect.any(Number),
      exp: (payload.iat ?? 0) + 300,
      jti: expect.any(String),
      tid: 'acme',
      email: 'ann@acme.com',
      name: 'Ann Example',
      roles: ['admin'],
      teams: ['billing', 'support'],
      sid: 'sess-1',
    });
  });

  it('leaves out an unknown email and name', async () => {
    const { accessToken } = await issuer.issue({ ...input, email: null, name: undefined });
    const { payload } = await jwtVerify(accessToken, jwks);
    expect(payload).not.toHaveProperty('email');
    expect(payload).not.toHaveProperty('name');
  });

  it('gives every token an id of its own', async () => {
    const [a, b] = await Promise.all([issuer.issue(input), issuer.issue(input)]);
    const jti = async (token: string) => (await jwtVerify(token, jwks)).payload.jti;
    expect(await jti(a.accessToken)).not.toBe(await jti(b.accessToken));
    expect(decodeProtectedHeader(a.accessToken).kid).toBe(active.kid);
  });
});
