import type { IncomingHttpHeaders } from 'node:http';
import ipaddr from 'ipaddr.js';

/**
 * The client's address as the per-address limits see it. With no trusted
 * proxy, the connection's own address. Behind `trustedHops` proxies (load
 * balancers), the address the outermost trusted one saw, read from the right
 * of X-Forwarded-For (each proxy appends the address it was connected from):
 * entries further left were written by the client and prove nothing.
 */
export function clientAddress(
  request: { readonly ip: string; readonly headers: IncomingHttpHeaders },
  trustedHops: number,
): string {
  if (trustedHops <= 0) return request.ip;
  const header = request.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const hops = [request.ip, ...forwarded.reverse()];
  return hops[Math.min(trustedHops, hops.length - 1)];
}

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
