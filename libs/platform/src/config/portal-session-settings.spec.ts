import { ConfigError } from './app-config';
import { loadConfig } from './load-config';

describe('the limits of setup-portal and console sessions', () => {
  it('end a session after 30 minutes unused, and 8 hours after it started, by default', () => {
    expect(loadConfig({}).portalSessions).toEqual({ idleMs: 30 * 60_000, absoluteMs: 8 * 3_600_000 });
  });

  it('read PORTAL_SESSION_IDLE_MINUTES and PORTAL_SESSION_MAX_HOURS', () => {
    const config = loadConfig({ PORTAL_SESSION_IDLE_MINUTES: '5', PORTAL_SESSION_MAX_HOURS: '1' });
    expect(config.portalSessions).toEqual({ idleMs: 5 * 60_000, absoluteMs: 3_600_000 });
  });

  it.each([
    ['PORTAL_SESSION_IDLE_MINUTES', '0', /must be between 1 and 1440/],
    ['PORTAL_SESSION_IDLE_MINUTES', '1441', /must be between 1 and 1440/],
    ['PORTAL_SESSION_IDLE_MINUTES', '2.5', /must be a whole number/],
    ['PORTAL_SESSION_MAX_HOURS', '0', /must be between 1 and 168/],
    ['PORTAL_SESSION_MAX_HOURS', '169', /must be between 1 and 168/],
    ['PORTAL_SESSION_MAX_HOURS', 'eight', /must be a number/],
  ])('refuses %s=%s with a message naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}: ${message.source}`));
  });
});
