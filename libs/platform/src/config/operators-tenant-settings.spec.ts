import { ConfigError } from './app-config';
import { loadConfig } from './load-config';

describe("the operators' tenant", () => {
  it('is unset by default: only the admin token opens the console', () => {
    expect(loadConfig({}).operatorsTenant).toBeUndefined();
  });

  it('reads OPERATORS_TENANT as a tenant slug', () => {
    expect(loadConfig({ OPERATORS_TENANT: 'vendor-ops' }).operatorsTenant).toBe('vendor-ops');
  });

  it.each(['Vendor', 'vendor ops', '-ops', 'ops_team'])(
    'refuses OPERATORS_TENANT=%s with a message naming it',
    (value) => {
      expect(() => loadConfig({ OPERATORS_TENANT: value })).toThrow(ConfigError);
      expect(() => loadConfig({ OPERATORS_TENANT: value })).toThrow(/OPERATORS_TENANT: must be a tenant slug/);
    },
  );
});
