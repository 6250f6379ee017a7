import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import { describeAddressRange, isPublicAddress, stripBrackets } from './outbound-address';
import { OutboundAddressError } from './outbound-address.error';

/** One address a host name resolves to. */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

/** Resolves a host name to every address it has, as connections would (getaddrinfo). */
export type HostLookup = (hostname: string) => Promise<readonly ResolvedAddress[]>;

/** What an outbound check needs: the operator's choice, and a resolver (tests replace it). */
export interface OutboundAddressOptions {
  /** ALLOW_PRIVATE_NETWORKS: when true, nothing is checked. */
  readonly allowPrivateNetworks: boolean;
  /** Resolves host names; `dns.lookup` with `all: true` unless given. */
  readonly lookup?: HostLookup;
}

/** The system resolver, as `net.connect` uses it. */
export const systemLookup: HostLookup = (hostname) => dns.lookup(hostname, { all: true });

/**
 * The host's addresses, once every one of them is public; otherwise an
 * OutboundAddressError naming `target` and the first address that is not.
 * A literal IP is judged as it is; a name is resolved with `lookup`, and a
 * resolver failure is passed on as it came.
 */
export async function resolvePublicHost(
  host: string,
  lookup: HostLookup,
  target: string,
): Promise<readonly ResolvedAddress[]> {
  const literal = stripBrackets(host);
  const family = isIP(literal);
  if (family !== 0) {
    assertPublic(literal, target, 'is');
    return [{ address: literal, family }];
  }
  const addresses = await lookup(literal);
  if (addresses.length === 0) {
    throw new OutboundAddressError('unresolvable_host', `${target} does not resolve to any address`);
  }
  // Every address, not only the first: a name with one public and one private address would reach the private one.
  for (const { address } of addresses) assertPublic(address, target, 'resolves to');
  return addresses;
}

function assertPublic(address: string, target: string, verb: 'is' | 'resolves to'): void {
  if (isPublicAddress(address)) return;
  throw new OutboundAddressError(
    'private_address',
    `${target} ${verb} a private address: ${address} is ${describeAddressRange(address)}` +
      ' (set ALLOW_PRIVATE_NETWORKS=true to allow private networks)',
  );
}
