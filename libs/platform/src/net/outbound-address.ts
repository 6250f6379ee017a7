import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Why an address is not called unless ALLOW_PRIVATE_NETWORKS is set, by the
 * range names of ipaddr.js (which keeps the IANA special-purpose registries).
 * Only global unicast is public: a range missing here, or one a later
 * ipaddr.js adds, is refused too, as "a non-global range".
 */
export const NON_PUBLIC_RANGES: Readonly<Record<string, string>> = {
  unspecified: 'the unspecified address (0.0.0.0/8, ::)',
  loopback: 'a loopback address (127.0.0.0/8, ::1)',
  private: 'a private network address (10/8, 172.16/12, 192.168/16)',
  uniqueLocal: 'a private network address (fc00::/7)',
  linkLocal: 'a link-local address (169.254/16 with the cloud metadata address, fe80::/10)',
  deprecatedSiteLocal: 'a site-local address (fec0::/10)',
  carrierGradeNat: 'a carrier-grade NAT address (100.64/10)',
  multicast: 'a multicast address (224/4, ff00::/8)',
  broadcast: 'the broadcast address (255.255.255.255)',
  reserved: 'a reserved or documentation address (192.0.0/24, 192.0.2/24, 198.18/15, 240/4, 2001:db8::/32…)',
  benchmarking: 'a benchmarking address (2001:2::/48)',
  as112: 'an AS112 address (192.175.48/24, 192.31.196/24)',
  as112v6: 'an AS112 address (2001:4:112::/48, 2620:4f:8000::/48)',
  amt: 'an AMT relay address (192.52.193/24, 2001:3::/32)',
  discard: 'a discard-only address (100::/64)',
  rfc6145: 'an IPv4-translated address (::ffff:0:0:0/96)',
  rfc6052: 'a local-use NAT64 address (64:ff9b:1::/48)',
  '6to4': 'a 6to4 address (2002::/16), whose IPv4 target cannot be vouched for',
  teredo: 'a Teredo address (2001::/32), whose IPv4 target cannot be vouched for',
  deprecatedOrchid: 'an ORCHID address (2001:10::/28)',
  orchid2: 'an ORCHIDv2 address (2001:20::/28)',
  droneRemoteIdProtocolEntityTags: 'a drone remote ID tag (2001:30::/28)',
  segmentRouting: 'a segment routing address (5f00::/16)',
  notGlobalUnicast:
    'an IPv6 address outside global unicast 2000::/3 (such as the deprecated IPv4-compatible ::a.b.c.d)',
};

/** The well-known NAT64 prefix (RFC 6052): its last 32 bits are the IPv4 address actually reached. */
const NAT64_PREFIX = ipaddr.IPv6.parse('64:ff9b::');
const NAT64_PREFIX_LENGTH = 96;
/** IANA allocates IPv6 global unicast from 2000::/3 only; ipaddr.js calls the rest of the space "unicast" too. */
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parse('2000::');
const GLOBAL_UNICAST_V6_LENGTH = 3;

/**
 * The ipaddr.js range of an IP address, looking through the forms that carry
 * an IPv4 address (IPv4-mapped `::ffff:127.0.0.1`, NAT64 `64:ff9b::7f00:1`),
 * so each is judged by the address it reaches. `unicast` means global
 * (for IPv6, within 2000::/3); a string that is not an IP address is `invalid`.
 */
export function addressRange(address: string): string {
  const literal = stripBrackets(address);
  if (isIP(literal) === 0) return 'invalid';
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(literal);
  } catch {
    return 'invalid';
  }
  if (parsed.kind() === 'ipv6' && parsed.match(NAT64_PREFIX, NAT64_PREFIX_LENGTH)) {
    return ipaddr.fromByteArray(parsed.toByteArray().slice(12)).range();
  }
  const range = parsed.range();
  if (range === 'unicast' && parsed.kind() === 'ipv6' && !parsed.match(GLOBAL_UNICAST_V6, GLOBAL_UNICAST_V6_LENGTH)) {
    return 'notGlobalUnicast';
  }
  return range;
}

/** Whether the gateway may call this IP address when private networks are not allowed: global unicast only. */
export function isPublicAddress(address: string): boolean {
  return addressRange(address) === 'unicast';
}

/** Why an address is not public, in words, e.g. "a loopback address (127.0.0.0/8, ::1)". */
export function describeAddressRange(address: string): string {
  const range = addressRange(address);
  if (range === 'unicast') return 'a public address';
  if (range === 'invalid') return 'not an IP address';
  return NON_PUBLIC_RANGES[range] ?? `a non-global range (${range})`;
}

/** A URL's or connection's host without the brackets of an IPv6 literal. */
export function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
