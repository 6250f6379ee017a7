import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { generateSigningKey, importSigningKey } from '../signing-keys/signing-key-material';
import { BACKCHANNEL_LOGOUT_EVENT, signLogoutToken } from './logout-token';

describe('signLogoutToken', () => {
  it('signs the claims Back-Channel Logout 1.0 asks for, and no nonce', async () => {
    const generated = await generateSigningKey();
    const key = {
      kid: generated.kid,
      alg: generated.alg,
      privateKey: await importSigningKey(generated.privateJwk, generated.alg),
    };
    const token = await signLogoutToken(
      key,
      { issuer: 'https://gw.example', clientId: 'c-1', sub: 'u-1', sid: 's-1' },
      1_000,
    );
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', kid: generated.kid, typ: 'logout+jwt' });
    const { payload } = await jwtVerify(token, await importJWK(generated.publicJwk, 'ES256'), {
      issuer: 'https://gw.example',
      audience: 'c-1',
      currentDate: new Date(1_030_000),
    });
    expect(payload).toMatchObject({
      sub: 'u-1',
      sid: 's-1',
      iat: 1_000,
      exp: 1_120,
      events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    });
    expect(typeof payload.jti).toBe('string');
    expect(payload).not.toHaveProperty('nonce');
  });
});
