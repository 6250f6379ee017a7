import { OutboundAddressError } from './outbound-address.error';
import { HostLookup } from './public-host';
import { assertPublicUrl } from './public-url';

/** A resolver that answers from a table and records what it was asked; nothing leaves the process. */
function stubLookup(table: Record<string, string[]>): HostLookup & { asked: string[] } {
  const asked: string[] = [];
  const lookup = (hostname: string) => {
    asked.push(hostname);
    const addresses = table[hostname];
    if (!addresses)
      return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
    return Promise.resolve(addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  };
  return Object.assign(lookup, { asked });
}

const refused = { allowPrivateNetworks: false } as const;

describe('assertPublicUrl', () => {
  it.each([
    ['http://10.0.0.1/hook', /10\.0\.0\.1 is a private network address/],
    ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is a link-local address/],
    ['http://127.0.0.1:3000/', /127\.0\.0\.1 is a loopback address/],
    ['http://[::1]:3000/', /::1 is a loopback address/],
    ['http://[::ffff:127.0.0.1]/', /::ffff:7f00:1 is a loopback address/],
    ['https://0.0.0.0/', /0\.0\.0\.0 is the unspecified address/],
    ['http://100.64.1.1/', /carrier-grade NAT/],
    ['http://2130706433/', /127\.0\.0\.1 is a loopback address/],
  ])('refuses %s without resolving anything', async (url, why) => {
    const lookup = stubLookup({});
    const attempt = assertPublicUrl(url, { ...refused, lookup });
    await expect(attempt).rejects.toThrow(OutboundAddressError);
    await expect(attempt).rejects.toMatchObject({ code: 'private_address', message: expect.stringMatching(why) });
    await expect(attempt).rejects.toThrow(`${new URL(url).href} is a private address`);
    expect(lookup.asked).toEqual([]);
  });

  it('refuses a host name that resolves to a private address, naming the URL and why', async () => {
    const lookup = stubLookup({ 'idp.internal.test': ['10.1.2.3'] });
    await expect(assertPublicUrl('https://idp.internal.test/oauth2', { ...refused, lookup })).rejects.toMatchObject({
      name: 'OutboundAddressError',
      code: 'private_address',
      message: expect.stringMatching(
        /^https:\/\/idp\.internal\.test\/oauth2 resolves to a private address: 10\.1\.2\.3 is a private network address.*ALLOW_PRIVATE_NETWORKS=true/,
      ),
    });
    expect(lookup.asked).toEqual(['idp.internal.test']);
  });

  it('refuses a name with one public and one private address', async () => {
    const lookup = stubLookup({ 'mixed.test': ['93.184.216.34', '169.254.169.254'] });
    await expect(assertPublicUrl('https://mixed.test/', { ...refused, lookup })).rejects.toThrow(
      /resolves to a private address: 169\.254\.169\.254 is a link-local address/,
    );
  });

  it('refuses localhost, resolved by the system resolver', async () => {
    await expect(assertPublicUrl('http://localhost:3001/', refused)).rejects.toMatchObject({
      code: 'private_address',
      message: expect.stringMatching(
        /^http:\/\/localhost:3001\/ resolves to a private address: (127\.0\.0\.1|::1) is a loopback/,
      ),
    });
  });

  it('refuses a name that does not resolve, with the resolver’s code and no connection state', async () => {
    const lookup = stubLookup({});
    await expect(assertPublicUrl('https://nowhere.test/', { ...refused, lookup })).rejects.toMatchObject({
      code: 'unresolvable_host',
      message: 'https://nowhere.test/ does not resolve (ENOTFOUND)',
    });
  });

  it('refuses a name with no address at all', async () => {
    const lookup = stubLookup({ 'empty.test': [] });
    await expect(assertPublicUrl('https://empty.test/', { ...refused, lookup })).rejects.toMatchObject({
      code: 'unresolvable_host',
    });
  });

  it('accepts a name whose every address is public', async () => {
    const lookup = stubLookup({ 'idp.example.test': ['93.184.216.34', '2606:4700:4700::1111'] });
    await expect(assertPublicUrl('https://idp.example.test/', { ...refused, lookup })).resolves.toBeUndefined();
    await expect(assertPublicUrl(new URL('https://8.8.8.8/'), { ...refused, lookup })).resolves.toBeUndefined();
  });

  it('checks nothing when private networks are allowed', async () => {
    const lookup = stubLookup({});
    await expect(
      assertPublicUrl('http://127.0.0.1:3000/', { allowPrivateNetworks: true, lookup }),
    ).resolves.toBeUndefined();
    await expect(
      assertPublicUrl('http://idp.internal.test/', { allowPrivateNetworks: true, lookup }),
    ).resolves.toBeUndefined();
    expect(lookup.asked).toEqual([]);
  });
});
