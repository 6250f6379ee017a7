import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResolvedConfig, loadConfig } from '@app/platform';
import { TEST_REDIS_URL, redisPrefix } from './test-environment';

/** A complete configuration for an app under test, on the given database. */
export function testConfig(databaseUrl: string, overrides: Partial<ResolvedConfig> = {}): ResolvedConfig {
  const base = loadConfig({
    DATA_DIR: mkdtempSync(join(tmpdir(), 'gw-test-')),
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: `${redisPrefix()}-${randomBytes(3).toString('hex')}`,
    PUBLIC_URL: 'https://login.gateway.test',
    SCIM_PUBLIC_URL: 'https://scim.gateway.test',
    ALLOW_HTTP_ISSUERS: 'true',
    // The IdPs and webhook receivers of tests listen on loopback.
    ALLOW_PRIVATE_NETWORKS: 'true',
    DELIVERY_BACKOFF_MS: '50',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  });
  return {
    ...base,
    databaseUrl,
    adminToken: `gwa_test_${randomBytes(24).toString('base64url')}`,
    secretsKey: randomBytes(32),
    ...overrides,
  };
}
