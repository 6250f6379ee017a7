// Two tiers: pure unit tests beside the code, and end-to-end tests under test/
// that boot the real apps against real PostgreSQL and Redis.
const moduleNameMapper = {
  '^@app/identity$': '<rootDir>/libs/identity/src',
  '^@app/identity/(.*)$': '<rootDir>/libs/identity/src/$1',
  '^@app/platform$': '<rootDir>/libs/platform/src',
  '^@app/platform/(.*)$': '<rootDir>/libs/platform/src/$1',
  '^@app/events$': '<rootDir>/libs/events/src',
  '^@app/events/(.*)$': '<rootDir>/libs/events/src/$1',
};
const transform = {
  '^.+\\.ts$': ['@swc/jest'],
  // ESM-only packages (openid-client, jose, oidc-provider and what they import) are
  // compiled to CommonJS for Jest's module system; Node itself loads them with require(esm).
  '^.+\\.m?js$': ['@swc/jest', { module: { type: 'commonjs' } }],
};
const esmOnlyPackages = ['@nestjs/passport', 'openid-client', 'oauth4webapi', 'jose', 'oidc-provider', 'quick-lru', 'nanoid', 'eta', '@koa'];
const transformIgnorePatterns = [`/node_modules/(?!(${esmOnlyPackages.join('|')})/)`];

/** @type {import('jest').Config} */
module.exports = {
  // Generous: end-to-end tests start processes and databases; speed is measured in bench/, not here.
  testTimeout: 60000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/apps', '<rootDir>/libs'],
      testMatch: ['**/*.spec.ts'],
      moduleNameMapper,
      transform,
      transformIgnorePatterns,
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.e2e-spec.ts'],
      moduleNameMapper,
      transform,
      transformIgnorePatterns,
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
