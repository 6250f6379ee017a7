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
const transform = { '^.+\\.ts$': ['@swc/jest'] };

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
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.e2e-spec.ts'],
      moduleNameMapper,
      transform,
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
