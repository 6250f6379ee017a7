import { clientAddress, clientAddressKey } from './client-address';

describe('clientAddressKey', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2:ffff::1', '2001:db8:1:2::/64'],
    ['::1', '0:0:0:0::/64'],
    ['not an address', 'not an address'],
  ])('%s → %s', (address, key) => {
    expect(clientAddressKey(address)).toBe(key);
  });
});

describe('clientAddress', () => {
  const request = (forwardedFor?: string | string[]) => ({
    ip: '10.0.0.2',
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  });

  it.each([
    ['no proxy trusted: the connection', request('198.51.100.1'), 0, '10.0.0.2'],
    ['one proxy: the address it saw', request('6.6.6.6, 198.51.100.1'), 1, '198.51.100.1'],
    ['two proxies', request('6.6.6.6, 198.51.100.1, 10.0.0.9'), 2, '198.51.100.1'],
    ['more hops trusted than there are', request('198.51.100.1'), 3, '198.51.100.1'],
    ['no header behind a proxy: the connection', request(), 1, '10.0.0.2'],
    ['repeated headers', request(['6.6.6.6', '198.51.100.1']), 1, '198.51.100.1'],
  ])('%s', (_case, input, hops, expected) => {
    expect(clientAddress(input, hops)).toBe(expected);
  });
});
