import { requestLine } from './log-format';
import { loggablePath } from './loggable-path';

describe('the path a log line shows', () => {
  it.each([
    ['/scim/v2/Users?filter=userName eq "ann@acme.example"', '/scim/v2/Users'],
    ['/setup/Ns0ymuoS-dENekk1eVgq5P4acHzxczltoM20GhgZTRc', '/setup/[redacted]'],
    ['/setup/Ns0ymuoS-dENekk1eVgq5P4acHzxczltoM20GhgZTRc?utm=mail', '/setup/[redacted]'],
    ['/admin/v1/tenants/acme/setup-links', '/admin/v1/tenants/acme/setup-links'],
    ['/portal', '/portal'],
    ['/setup/', '/setup/'],
    ['/setup/?x=1', '/setup/'],
    ['/setup/abc/next', '/setup/[redacted]/next'],
    ['/SETUP/abc', '/SETUP/abc'],
    ['/', '/'],
    ['?only=query', ''],
  ])('%s -> %s', (url, path) => {
    expect(loggablePath(url)).toBe(path);
  });

  it('keeps a setup link out of the one line per request', () => {
    expect(requestLine('GET', '/setup/secret-value', 302, 3.2)).toBe('GET /setup/[redacted] 302 3ms');
  });
});
