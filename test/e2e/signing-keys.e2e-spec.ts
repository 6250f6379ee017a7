import { randomBytes } from 'node:crypto';
import { errors as joseErrors, createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  DOWNSTREAM_TOKEN_AUDIENCE,
  DownstreamTokenInput,
  DownstreamTokenIssuer,
  SigningKeysOptions,
  SigningKeysService,
  dataSourceOptions,
} from '@app/identity';
import { SecretBox } from '@app/identity/secrets/secret-box';
import { SigningKeyRepository } from '@app/identity/signing-keys/signing-key.repository';
import { MovableClock, SigningKeysApp, startSigningKeysApp } from '../support/signing-keys-app';
import { TestDatabase, createTestDatabase } from '../support/test-database';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

interface KeyRow {
  kid: string;
  alg: string;
  public_jwk: Record<string, unknown>;
  private_key_sealed: Buffer;
  retired_at: Date | null;
}

describe('signing keys on PostgreSQL', () => {
  let db: TestDatabase;
  const dataSources: DataSource[] = [];
  const box = new SecretBox(randomBytes(32));

  /** A service as one replica runs it, with a connection pool of its own. */
  async function replica(options: Partial<SigningKeysOptions> = {}, secrets = box): Promise<SigningKeysService> {
    const dataSource = await new DataSource(dataSourceOptions(db.url)).initialize();
    dataSources.push(dataSource);
    return new SigningKeysService(new SigningKeyRepository(dataSource), secrets, options);
  }
  const keyRows = () => db.query<KeyRow>('SELECT * FROM signing_keys ORDER BY created_at, kid');

  // Services built by hand log through Nest's console logger; the app under test logs through pino (silenced).
  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await Promise.all(dataSources.splice(0).map((dataSource) => dataSource.destroy()));
    await db.drop();
  });

  it('generates one ES256 key on first use, and uses it from then on', async () => {
    const keys = await replica();
    expect(await keyRows()).toEqual([]);
    const first = await keys.activeKey();
    const rows = await keyRows();
    expect(rows).toEqual([expect.objectContaining({ kid: first.kid, alg: 'ES256', retired_at: null })]);
    expect((await keys.activeKey()).kid).toBe(first.kid);
    expect((await (await replica()).activeKey()).kid).toBe(first.kid);
  });

  it('ends with exactly one active key when replicas start at once', async () => {
    const replicas = await Promise.all(Array.from({ length: 4 }, () => replica()));
    const kids = await Promise.all(replicas.map(async (keys) => (await keys.activeKey()).kid));
    const rows = await keyRows();
    expect(rows).toHaveLength(1);
    expect(new Set(kids)).toEqual(new Set([rows[0].kid]));
  });

  it('stores the private key sealed: the public JWK has no private part, the sealed bytes do not show it', async () => {
    await (await replica()).activeKey();
    const [row] = await keyRows();
    expect(Object.keys(row.public_jwk).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    const privateJwk = JSON.parse(box.open(row.private_key_sealed, row.kid)) as { d: string };
    expect(privateJwk.d).toEqual(expect.any(String));
    const sealed = row.private_key_sealed;
    expect(sealed.includes(Buffer.from(privateJwk.d))).toBe(false);
    expect(sealed.includes(Buffer.from(privateJwk.d, 'base64url'))).toBe(false);
    expect(sealed.includes(Buffer.from('"d"'))).toBe(false);
    // Bound to its kid: the sealed key copied to another row does not open.
    expect(() => box.open(sealed, 'another-kid')).toThrow();
  });

  it('refuses to start on keys that SECRETS_KEY does not open, naming SECRETS_KEY', async () => {
    await (await replica()).activeKey();
    const wrongKey = await replica({}, new SecretBox(randomBytes(32)));
    await expect(wrongKey.activeKey()).rejects.toThrow(/SECRETS_KEY/);
  });

  it('rotates on schedule: announces the successor, hands over, then unpublishes the predecessor', async () => {
    const clock = new MovableClock();
    const keys = await replica({ now: clock.now });
    const first = (await keys.activeKey()).kid;

    clock.advance(30 * DAY - HOUR);
    const second = (await keys.jwks()).keys.map((key) => key.kid).find((kid) => kid !== first);
    expect(second).toEqual(expect.any(String));
    expect((await keys.activeKey()).kid).toBe(first);

    clock.advance(HOUR);
    expect((await keys.activeKey()).kid).toBe(second);
    expect((await keyRows()).map((row) => [row.kid, row.retired_at !== null])).toEqual([
      [first, true],
      [second, false],
    ]);
    expect((await keys.jwks()).keys.map((key) => key.kid)).toEqual([first, second]);

    clock.advance(DAY);
    expect((await keys.jwks()).keys.map((key) => key.kid)).toEqual([second]);
    expect((await keyRows()).map((row) => row.kid)).toEqual([second]);
  });

  it('follows another replica’s rotation once its cache expires', async () => {
    const clock = new MovableClock();
    const [a, b] = [await replica({ now: clock.now }), await replica({ now: clock.now })];
    const first = (await a.activeKey()).kid;
    expect((await b.activeKey()).kid).toBe(first);

    const rotated = await a.rotate();
    expect((await a.activeKey()).kid).toBe(rotated);
    expect((await b.activeKey()).kid).toBe(first);
    clock.advance(60_000);
    expect((await b.activeKey()).kid).toBe(rotated);
  });
});

describe('downstream tokens and GET /.well-known/jwks.json', () => {
  const clock = new MovableClock();
  let server: SigningKeysApp;
  let issuer: DownstreamTokenIssuer;
  const input: DownstreamTokenInput = {
    userId: '6f1b1f9e-5a8e-4c55-9b55-0c8a7c2f2a10',
    tenantSlug: 'acme',
    email: 'ann@acme.com',
    name: 'Ann Example',
    roles: ['admin', 'billing'],
    teams: ['platform'],
    sessionId: 'b3c1d6a0-3f43-4a4b-9a3e-1f7c2e9d8a11',
  };

  // A verifier as a downstream product runs it, fresh each time so no JWKS cache hides a change.
  const verify = (token: string) =>
    jwtVerify(token, createRemoteJWKSet(new URL('/.well-known/jwks.json', server.url)), {
      issuer: 'https://login.gateway.test',
      audience: DOWNSTREAM_TOKEN_AUDIENCE,
      algorithms: ['ES256'],
    });
  const publishedKids = async () => {
    const response = await fetch(new URL('/.well-known/jwks.json', server.url));
    return ((await response.json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid);
  };

  beforeAll(async () => {
    server = await startSigningKeysApp({ now: clock.now });
    issuer = server.app.get(DownstreamTokenIssuer);
  });
  afterAll(async () => {
    await server.close();
  });

  it('has a key at boot and serves it, public parts only, cacheable', async () => {
    const response = await fetch(new URL('/.well-known/jwks.json', server.url));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    const body = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(body.keys).toEqual([
      {
        kty: 'EC',
        crv: 'P-256',
        x: expect.any(String),
        y: expect.any(String),
        kid: expect.any(String),
        alg: 'ES256',
        use: 'sig',
      },
    ]);
  });

  it('issues a token that verifies against the JWKS, with the claims downstream products read', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { accessToken, expiresIn } = await issuer.issue(input);
    expect(expiresIn).toBe(300);
    const { payload, protectedHeader } = await verify(accessToken);
    expect(protectedHeader).toEqual({ alg: 'ES256', kid: (await publishedKids())[0], typ: 'JWT' });
    expect(payload).toEqual({
      iss: 'https://login.gateway.test',
      sub: input.userId,
      aud: DOWNSTREAM_TOKEN_AUDIENCE,
      iat: expect.any(Number),
      exp: expect.any(Number),
      jti: expect.any(String),
      tid: 'acme',
      email: 'ann@acme.com',
      name: 'Ann Example',
      roles: ['admin', 'billing'],
      teams: ['platform'],
      sid: input.sessionId,
    });
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    expect(payload.exp).toBe((payload.iat ?? 0) + 300);
  });

  it.each([
    [
      'a changed claim',
      (token: string) => {
        const [header, payload, signature] = token.split('.');
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
        const forged = Buffer.from(JSON.stringify({ ...claims, roles: ['owner'] })).toString('base64url');
        return [header, forged, signature].join('.');
      },
    ],
    [
      'a changed signature',
      (token: string) => {
        const signature = Buffer.from(token.split('.')[2], 'base64url');
        signature[0] ^= 1;
        return [...token.split('.').slice(0, 2), signature.toString('base64url')].join('.');
      },
    ],
  ])('refuses a token with %s', async (_case, tamper) => {
    const { accessToken } = await issuer.issue(input);
    await expect(verify(tamper(accessToken))).rejects.toBeInstanceOf(joseErrors.JWSSignatureVerificationFailed);
  });

  it('refuses a token meant for another audience or from another issuer', async () => {
    const { accessToken } = await issuer.issue(input);
    const keySet = createRemoteJWKSet(new URL('/.well-known/jwks.json', server.url));
    await expect(jwtVerify(accessToken, keySet, { audience: 'another-product' })).rejects.toThrow(/aud/);
    await expect(jwtVerify(accessToken, keySet, { issuer: 'https://evil.test' })).rejects.toThrow(/iss/);
  });

  it('after a rotation, signs with the new key and still verifies tokens of the old one until its overlap ends', async () => {
    const signingKeys = server.app.get(SigningKeysService);
    const oldToken = (await issuer.issue(input)).accessToken;
    const oldKid = decodeProtectedHeader(oldToken).kid;

    const newKid = await signingKeys.rotate();
    expect(newKid).not.toBe(oldKid);
    const newToken = (await issuer.issue(input)).accessToken;
    expect(decodeProtectedHeader(newToken).kid).toBe(newKid);
    expect(await publishedKids()).toEqual([oldKid, newKid]);
    await expect(verify(oldToken)).resolves.toBeDefined();
    await expect(verify(newToken)).resolves.toBeDefined();

    // A day after retirement the old key leaves the JWKS and the table; its tokens no longer verify.
    clock.advance(DAY);
    expect(await publishedKids()).toEqual([newKid]);
    expect((await server.db.query<{ kid: string }>('SELECT kid FROM signing_keys')).map((row) => row.kid)).toEqual([
      newKid,
    ]);
    await expect(verify(oldToken)).rejects.toBeInstanceOf(joseErrors.JWKSNoMatchingKey);
    await expect(verify((await issuer.issue(input)).accessToken)).resolves.toBeDefined();
  });
});
