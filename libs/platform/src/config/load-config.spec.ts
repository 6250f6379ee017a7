import { ConfigError } from './app-config';
import { decodeKey, loadConfig } from './load-config';

describe('loadConfig', () => {
  it('works with no configuration at all', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      databaseUrl: undefined,
      redisUrl: 'redis://127.0.0.1:6379',
      ports: { scim: 3000, oidc: 3001, worker: 3002 },
      publicUrl: 'http://localhost:3001',
      scimPublicUrl: 'http://localhost:3000',
      adminToken: undefined,
      secretsKey: undefined,
      allowHttpIssuers: false,
      allowPrivateNetworks: false,
      logLevel: 'info',
    });
    expect(config.dataDir).toMatch(/\.data$/);
    expect(config.deliveryBackoffMs).toBeGreaterThan(0);
    expect(config.eventsRetentionDays).toBe(90);
    expect(config.scimLimits).toEqual({
      statementTimeoutMs: 5000,
      tenantConcurrency: 3,
      tokenConcurrency: 2,
      tenantQueue: 64,
    });
  });

  it('reads the SCIM limits, a token never allowed more than its tenant', () => {
    const config = loadConfig({
      SCIM_STATEMENT_TIMEOUT_MS: '2500',
      SCIM_TENANT_CONCURRENCY: '2',
      SCIM_TOKEN_CONCURRENCY: '8',
      SCIM_TENANT_QUEUE: '0',
    });
    expect(config.scimLimits).toEqual({
      statementTimeoutMs: 2500,
      tenantConcurrency: 2,
      tokenConcurrency: 2,
      tenantQueue: 0,
    });
  });

  it('takes LOG_FORMAT as given, whatever the terminal', () => {
    expect(loadConfig({ LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(loadConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
  });

  it('derives the public URLs from the ports and strips trailing slashes', () => {
    expect(loadConfig({ OIDC_PORT: '4001', SCIM_PORT: '4000' })).toMatchObject({
      publicUrl: 'http://localhost:4001',
      scimPublicUrl: 'http://localhost:4000',
    });
    expect(loadConfig({ PUBLIC_URL: 'https://login.example.com/' }).publicUrl).toBe('https://login.example.com');
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', SCIM_PORT: '' })).toMatchObject({
      databaseUrl: undefined,
      ports: { scim: 3000 },
    });
  });

  it.each([
    ['DATABASE_URL', 'mysql://root@localhost/db'],
    ['DATABASE_URL', 'not a url'],
    ['REDIS_URL', 'http://127.0.0.1:6379'],
    ['SCIM_PORT', '70000'],
    ['OIDC_PORT', 'abc'],
    ['WORKER_PORT', '0'],
    ['WORKER_PORT', '3.5'],
    ['PUBLIC_URL', 'ftp://example.com'],
    ['SCIM_PUBLIC_URL', 'example.com'],
    ['ADMIN_TOKEN', 'short'],
    ['SECRETS_KEY', 'too-short'],
    ['ALLOW_HTTP_ISSUERS', 'perhaps'],
    ['ALLOW_PRIVATE_NETWORKS', 'sometimes'],
    ['DELIVERY_BACKOFF_MS', '-5'],
    ['EVENTS_RETENTION_DAYS', '0'],
    ['EVENTS_RETENTION_DAYS', '1.5'],
    ['EVENTS_RETENTION_DAYS', 'forever'],
    ['SCIM_STATEMENT_TIMEOUT_MS', '0'],
    ['SCIM_STATEMENT_TIMEOUT_MS', 'soon'],
    ['SCIM_TENANT_CONCURRENCY', '0'],
    ['SCIM_TOKEN_CONCURRENCY', '2.5'],
    ['SCIM_TENANT_QUEUE', '-1'],
    ['LOG_LEVEL', 'loud'],
    ['LOG_FORMAT', 'fancy'],
  ])('refuses %s=%s with a message naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}: `));
  });

  it('names every wrong variable at once', () => {
    try {
      loadConfig({ SCIM_PORT: 'x', DATABASE_URL: 'nope' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect((error as ConfigError).problems).toHaveLength(2);
    }
  });

  it.each([
    ['true', true],
    ['1', true],
    ['false', false],
    ['no', false],
  ])('reads ALLOW_HTTP_ISSUERS=%s', (value, expected) => {
    expect(loadConfig({ ALLOW_HTTP_ISSUERS: value }).allowHttpIssuers).toBe(expected);
  });

  it.each([
    ['true', true],
    ['yes', true],
    ['false', false],
    ['0', false],
  ])('reads ALLOW_PRIVATE_NETWORKS=%s', (value, expected) => {
    expect(loadConfig({ ALLOW_PRIVATE_NETWORKS: value }).allowPrivateNetworks).toBe(expected);
  });
});

describe('decodeKey', () => {
  const key = Buffer.alloc(32, 7);

  it.each([
    ['hex', key.toString('hex')],
    ['base64', key.toString('base64')],
    ['base64url', key.toString('base64url')],
  ])('accepts a 32-byte key in %s', (_form, text) => {
    expect(decodeKey(text)).toEqual(key);
  });

  it.each(['', 'abc', Buffer.alloc(16).toString('hex'), Buffer.alloc(31).toString('base64')])('refuses %p', (text) => {
    expect(decodeKey(text)).toBeUndefined();
  });
});
