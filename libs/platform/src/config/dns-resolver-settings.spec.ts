import { ConfigError } from './app-config';
import { loadConfig } from './load-config';

describe('DNS_RESOLVER, the DNS servers domain verification asks', () => {
  it('leaves the system resolver in charge when unset', () => {
    expect(loadConfig({}).dnsResolvers).toBeUndefined();
  });

  it('reads a comma-separated list of addresses with optional ports', () => {
    expect(loadConfig({ DNS_RESOLVER: '10.0.0.2, 127.0.0.1:5353,[::1]:53,2001:db8::1' }).dnsResolvers).toEqual([
      '10.0.0.2',
      '127.0.0.1:5353',
      '[::1]:53',
      '2001:db8::1',
    ]);
  });

  it.each(['dns.example.com', '10.0.0.2:0', '10.0.0.2:70000', '10.0.0.256', '10.0.0.2,', '::1:53:x'])(
    'refuses DNS_RESOLVER=%s with a message naming the variable',
    (value) => {
      expect(() => loadConfig({ DNS_RESOLVER: value })).toThrow(ConfigError);
      expect(() => loadConfig({ DNS_RESOLVER: value })).toThrow(/DNS_RESOLVER: ".*" is not an IP address/);
    },
  );
});
