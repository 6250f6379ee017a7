import { ConfigError } from './app-config';
import { loadConfig } from './load-config';

describe('rate limit settings', () => {
  it('default to limits no IdP or person reaches', () => {
    expect(loadConfig({}).rateLimits).toEqual({
      scimPerSecond: 100,
      scimMaxWaitMs: 2_000,
      authFailures: 50,
      authFailureWindowSeconds: 600,
      signInStartsPerMinute: 60,
      signInPending: 100_000,
      trustedProxyHops: 0,
    });
  });

  it('are read from RATE_LIMIT_* variables', () => {
    const limits = loadConfig({
      RATE_LIMIT_SCIM_PER_SECOND: '200',
      RATE_LIMIT_SCIM_MAX_WAIT_MS: '0',
      RATE_LIMIT_AUTH_FAILURES: '10',
      RATE_LIMIT_AUTH_FAILURE_WINDOW_SECONDS: '60',
      RATE_LIMIT_SIGN_IN_STARTS_PER_MINUTE: '600',
      RATE_LIMIT_SIGN_IN_PENDING: '5000',
      TRUST_PROXY_HOPS: '1',
    }).rateLimits;
    expect(limits).toEqual({
      scimPerSecond: 200,
      scimMaxWaitMs: 0,
      authFailures: 10,
      authFailureWindowSeconds: 60,
      signInStartsPerMinute: 600,
      signInPending: 5000,
      trustedProxyHops: 1,
    });
  });

  it.each([
    ['RATE_LIMIT_SCIM_PER_SECOND', '0'],
    ['RATE_LIMIT_SCIM_MAX_WAIT_MS', '-1'],
    ['RATE_LIMIT_AUTH_FAILURES', 'many'],
    ['RATE_LIMIT_SIGN_IN_PENDING', '1.5'],
    ['TRUST_PROXY_HOPS', '11'],
  ])('refuse %s=%s, naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });
});
