import ipaddr from 'ipaddr.js';

/**
 * The part of a client's address that per-address limits count: an IPv4
 * address (also when written as IPv4-mapped IPv6), or the /64 an IPv6 address
 * is in, since one host commonly holds a whole /64 and could otherwise step
 * through it to escape any limit.
 */
export function clientAddressKey(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4);
  return `${parts.map((part) => part.toString(16)).join(':')}::/64`;
}
