import { describeProviderError, describeTlsFailure, isTimeout, isUnreachable } from './provider-errors';

/** An error as fetch raises it for a refused connection: a TypeError whose cause carries the code. */
function fetchFailed(code: string, message: string): Error {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(message), { code }) });
}

describe('provider errors', () => {
  it('sees a refused or unresolvable provider through any wrapping', () => {
    const refused = fetchFailed('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1');
    expect(isUnreachable(refused)).toBe(true);
    expect(isUnreachable(new Error('something went wrong', { cause: refused }))).toBe(true);
    expect(isUnreachable(fetchFailed('ENOTFOUND', 'getaddrinfo ENOTFOUND idp.invalid'))).toBe(true);
  });

  it('reads errors by shape, so errors of another realm count too', () => {
    const foreign = { name: 'TypeError', message: 'fetch failed', cause: { code: 'ECONNRESET', message: 'reset' } };
    expect(isUnreachable(foreign)).toBe(true);
  });

  it('tells a timeout apart', () => {
    const timeout = Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
    expect(isTimeout(new Error('wrapped', { cause: timeout }))).toBe(true);
    expect(isUnreachable(timeout)).toBe(true);
    expect(isTimeout(fetchFailed('ECONNREFUSED', 'refused'))).toBe(false);
  });

  it('does not call a protocol error unreachable', () => {
    expect(isUnreachable(new Error('unexpected JWT "nonce" (nonce) claim value'))).toBe(false);
    expect(isUnreachable(new TypeError('Cannot read properties of undefined'))).toBe(false);
  });

  it('describes the cause an operator can act on', () => {
    expect(describeProviderError(fetchFailed('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'))).toBe(
      'fetch failed (connect ECONNREFUSED 127.0.0.1:1)',
    );
    const notFound = new Error('unexpected HTTP response status code', { cause: { status: 404 } });
    expect(describeProviderError(notFound)).toBe('unexpected HTTP response status code (HTTP 404)');
    expect(describeProviderError('plain')).toBe('plain');
  });
});

describe('TLS failures', () => {
  // The codes and messages as Node's fetch reports them: a TypeError "fetch failed" whose cause carries both.
  it.each([
    [
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'self-signed certificate',
      "the issuer's TLS certificate is not trusted: it is self-signed",
    ],
    [
      'SELF_SIGNED_CERT_IN_CHAIN',
      'self-signed certificate in certificate chain',
      'its chain ends in a self-signed root',
    ],
    [
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'unable to verify the first certificate',
      'does not send the intermediate certificates',
    ],
    [
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      'unable to get local issuer certificate',
      'its authority is not one this system trusts',
    ],
    [
      'UNABLE_TO_GET_ISSUER_CERT',
      'unable to get issuer certificate',
      'the certificate of its authority cannot be found',
    ],
    ['CERT_UNTRUSTED', 'certificate not trusted', "the issuer's TLS certificate is not trusted"],
    ['CERT_REJECTED', 'certificate rejected', "the issuer's TLS certificate is not trusted"],
    ['CERT_SIGNATURE_FAILURE', 'certificate signature failure', 'its signature does not verify'],
    ['CERT_HAS_EXPIRED', 'certificate has expired', "the issuer's TLS certificate has expired"],
    ['CERT_NOT_YET_VALID', 'certificate is not yet valid', 'is not valid yet'],
    ['CERT_REVOKED', 'certificate revoked', 'has been revoked'],
    [
      'ERR_TLS_CERT_ALTNAME_INVALID',
      "Hostname/IP does not match certificate's altnames: Host: idp.example. is not in the cert's altnames",
      'for another host name',
    ],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number', 'did not answer in TLS'],
    ['ERR_SSL_UNSUPPORTED_PROTOCOL', 'unsupported protocol', 'TLS versions too old'],
    ['ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'tlsv1 alert protocol version', 'TLS versions too old'],
    ['ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'sslv3 alert handshake failure', 'no protocol or cipher in common'],
  ])('%s (%s) becomes a plain sentence and keeps its code', (code, openSslText, sentence) => {
    const error = new Error('wrapped by openid-client', { cause: fetchFailed(code, openSslText) });
    const described = describeProviderError(error);
    expect(described).toContain(sentence);
    expect(described.endsWith(` (${code})`)).toBe(true);
    // The sentence replaces the bare OpenSSL text and fetch's "fetch failed".
    expect(described).toMatch(/^the (issuer|TLS)/);
    expect(described).not.toContain('fetch failed');
    expect(describeTlsFailure(error)).toBe(described);
  });

  it('leaves other failures to the general description', () => {
    expect(describeTlsFailure(fetchFailed('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'))).toBeUndefined();
    expect(describeTlsFailure({ code: 'constructor' })).toBeUndefined();
    expect(describeTlsFailure('plain')).toBeUndefined();
  });
});
