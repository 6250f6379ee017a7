import type { LookupAddress, LookupOptions } from 'node:dns';
import { LookupFunction, isIP } from 'node:net';
import { Agent, Dispatcher, buildConnector, fetch as undiciFetch } from 'undici';
import { stripBrackets } from './outbound-address';
import { HostLookup, OutboundAddressOptions, resolvePublicHost, systemLookup } from './public-host';

/** A guarded transport's settings: the address policy, and the undici Agent's own (pool size, keep-alive). */
export interface GuardedDispatcherOptions extends OutboundAddressOptions {
  readonly agent?: Omit<Agent.Options, 'connect'>;
}

/** A fetch that sends through one dispatcher; fits openid-client's `customFetch`. */
export type DispatcherFetch = (url: string, init?: Parameters<typeof undiciFetch>[1]) => Promise<Response>;

/**
 * Connect-time guard for outbound HTTP: an undici Agent whose every connection
 * is checked at the address actually connected to. A literal IP is checked
 * before the socket exists; a name is checked inside the socket's own lookup,
 * so what was checked is what is dialled (no second resolution for DNS
 * rebinding to exploit), on every connection, redirects included. A refused
 * connection fails with an OutboundAddressError and sends no packet.
 * With `allowPrivateNetworks`, a plain Agent.
 */
export function guardedDispatcher(options: GuardedDispatcherOptions): Agent {
  if (options.allowPrivateNetworks) return new Agent(options.agent);
  return new Agent({ ...options.agent, connect: guardedConnector(options.lookup ?? systemLookup) });
}

/** fetch through `dispatcher`: openid-client's `customFetch` for discovery and every endpoint it calls. */
export function fetchThrough(dispatcher: Dispatcher): DispatcherFetch {
  return (url, init) => undiciFetch(url, { ...init, dispatcher });
}

/** undici's connector, refusing non-public literal hosts before connecting and resolving names through the guard. */
export function guardedConnector(
  lookup: HostLookup,
  connect: buildConnector.connector = buildConnector({ lookup: guardedLookup(lookup) }),
): buildConnector.connector {
  return (target, callback) => {
    const host = stripBrackets(target.hostname);
    if (isIP(host) === 0) {
      connect(target, callback);
      return;
    }
    resolvePublicHost(host, lookup, originOf(target)).then(
      () => connect(target, callback),
      (error: Error) => callback(error, null),
    );
  };
}

/**
 * A `lookup` for net.connect and tls.connect: resolves with `lookup`, and
 * fails the connection unless every address is public. Answers in the shape
 * asked for (`all` for Node's happy-eyeballs connect, one address otherwise).
 */
export function guardedLookup(lookup: HostLookup): LookupFunction {
  return (hostname: string, options: LookupOptions, callback) => {
    resolvePublicHost(hostname, lookup, hostname).then(
      (resolved) => {
        const addresses: LookupAddress[] = resolved
          .filter(({ family }) => !options.family || familyNumber(options.family) === family)
          .map(({ address, family }) => ({ address, family }));
        if (addresses.length === 0) {
          callback(notFound(hostname), options.all ? [] : '');
        } else if (options.all) {
          callback(null, addresses);
        } else {
          callback(null, addresses[0].address, addresses[0].family);
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, options.all ? [] : ''),
    );
  };
}

function familyNumber(family: number | string): number {
  if (family === 'IPv4') return 4;
  if (family === 'IPv6') return 6;
  return Number(family);
}

function notFound(hostname: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
}

function originOf(target: buildConnector.Options): string {
  return `${target.protocol}//${target.host ?? target.hostname}`;
}
