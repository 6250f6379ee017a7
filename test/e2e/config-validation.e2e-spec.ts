import { EXIT_CONFIG } from '@app/platform';
import { childEnv, distEntry, runNode } from '../support/processes';
import { TEST_POSTGRES_URL } from '../support/test-environment';

describe('configuration validated at start', () => {
  it.each([
    ['scim', 'DATABASE_URL', 'mysql://root@127.0.0.1/gateway', 'postgres:// or postgresql://'],
    ['oidc', 'OIDC_PORT', '99999', 'between 1 and 65535'],
    ['worker', 'WORKER_PORT', 'three', 'port number'],
    ['launcher', 'SCIM_PORT', '-1', 'between 1 and 65535'],
    ['oidc', 'REDIS_URL', 'localhost:6379', 'redis://'],
    ['oidc', 'SECRETS_KEY', 'abc', '32 bytes'],
  ] as const)('%s refuses %s=%s, naming it, before touching anything', async (app, name, value, hint) => {
    const result = await runNode(distEntry(app), [], childEnv({ DATABASE_URL: TEST_POSTGRES_URL, [name]: value }));
    expect(result.code).toBe(EXIT_CONFIG);
    expect(result.stderr).toContain(`${name}: `);
    expect(result.stderr).toContain(hint);
    expect(result.stderr).not.toContain('    at ');
  });
});
