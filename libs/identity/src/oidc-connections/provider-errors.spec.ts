import { describeProviderError, isTimeout, isUnreachable } from './provider-errors';

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
