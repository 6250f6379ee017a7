import { LookupAddress } from 'node:dns';
import { AddressInfo } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import type { Agent, buildConnector } from 'undici';
import { fetchThrough, guardedConnector, guardedDispatcher, guardedLookup } from './guarded-dispatcher';
import { OutboundAddressError, findOutboundAddressError } from './outbound-address.error';
import { HostLookup } from './public-host';

/** A loopback HTTP server that counts the TCP connections it accepts. */
async function countingServer(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const server = createHttpServer((_request, response) => response.end('reached'));
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A resolver that answers from a table; nothing leaves the process. */
function stubLookup(table: Record<string, string[]>): HostLookup {
  return (hostname) =>
    Promise.resolve((table[hostname] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
}

describe('guardedDispatcher', () => {
  let target: Awaited<ReturnType<typeof countingServer>>;
  const dispatchers: Agent[] = [];
  const dispatcher = (options: Parameters<typeof guardedDispatcher>[0]): Agent => {
    const created = guardedDispatcher(options);
    dispatchers.push(created);
    return created;
  };

  beforeEach(async () => {
    target = await countingServer();
  });
  afterEach(async () => {
    await Promise.all(dispatchers.splice(0).map((created) => created.destroy()));
    await target.close();
  });

  it.each([
    ['a literal loopback address', (port: number) => `http://127.0.0.1:${port}/`, {}],
    ['an IPv4-mapped loopback address', (port: number) => `http://[::ffff:127.0.0.1]:${port}/`, {}],
    ['localhost', (port: number) => `http://localhost:${port}/`, {}],
    [
      'a name a resolver maps to loopback',
      (port: number) => `http://idp.rebound.test:${port}/`,
      { 'idp.rebound.test': ['127.0.0.1'] },
    ],
    [
      'a name with a public and a loopback address',
      (port: number) => `http://mixed.test:${port}/`,
      { 'mixed.test': ['93.184.216.34', '127.0.0.1'] },
    ],
    [
      'an https:// name a resolver maps to loopback (TLS connects through the same lookup)',
      (port: number) => `https://idp.secure.test:${port}/`,
      { 'idp.secure.test': ['127.0.0.1'] },
    ],
    ['an https:// literal loopback address', (port: number) => `https://127.0.0.1:${port}/`, {}],
  ])('refuses %s before connecting; the server sees no connection', async (_case, url, table) => {
    const lookup = Object.keys(table).length > 0 ? stubLookup(table) : undefined;
    const fetch = fetchThrough(dispatcher({ allowPrivateNetworks: false, lookup }));
    const error = await fetch(url(target.port)).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(findOutboundAddressError(error)).toMatchObject({ code: 'private_address' });
    expect(String(findOutboundAddressError(error)?.message)).toMatch(/loopback address/);
    expect(String(findOutboundAddressError(error)?.message)).not.toMatch(/ECONNREFUSED/);
    expect(target.connections()).toBe(0);
  });

  it('refuses at connect time a name that resolved to a public address before (DNS rebinding)', async () => {
    const answers = [['93.184.216.34'], ['127.0.0.1']];
    const rebinding: HostLookup = () => {
      const next = answers.shift() ?? ['127.0.0.1'];
      return Promise.resolve(next.map((address) => ({ address, family: 4 })));
    };
    // What a save-time check saw:
    await expect(rebinding('hooks.rebind.test')).resolves.toEqual([{ address: '93.184.216.34', family: 4 }]);
    const fetch = fetchThrough(dispatcher({ allowPrivateNetworks: false, lookup: rebinding }));
    await expect(fetch(`http://hooks.rebind.test:${target.port}/`)).rejects.toMatchObject({
      cause: { code: 'private_address' },
    });
    expect(target.connections()).toBe(0);
  });

  it('reaches the same server when private networks are allowed (so the refusals above are the guard’s)', async () => {
    const fetch = fetchThrough(dispatcher({ allowPrivateNetworks: true }));
    const response = await fetch(`http://127.0.0.1:${target.port}/`);
    expect(await response.text()).toBe('reached');
    expect(target.connections()).toBe(1);
  });
});

describe('guardedConnector', () => {
  it.each(['10.0.0.1', '169.254.169.254', '127.0.0.1', '::1', '::ffff:127.0.0.1', '0.0.0.0'])(
    'never calls the connector for the literal address %s',
    async (hostname) => {
      const connect = jest.fn<void, Parameters<buildConnector.connector>>();
      const lookup = jest.fn<ReturnType<HostLookup>, Parameters<HostLookup>>();
      const error = await new Promise<Error | null>((resolve) =>
        guardedConnector(lookup, connect)(
          { hostname: hostname.includes(':') ? `[${hostname}]` : hostname, protocol: 'https:', port: '443' },
          (...[failure]) => resolve(failure),
        ),
      );
      expect(error).toBeInstanceOf(OutboundAddressError);
      expect(error?.message).toMatch(/is a private address/);
      expect(connect).not.toHaveBeenCalled();
      expect(lookup).not.toHaveBeenCalled();
    },
  );

  it('hands a name to the connector, whose socket resolves it through the guarded lookup', async () => {
    const connect = jest.fn<void, Parameters<buildConnector.connector>>((_target, callback) =>
      callback(new Error('stopped here'), null),
    );
    const error = await new Promise<Error | null>((resolve) =>
      guardedConnector(stubLookup({}), connect)(
        { hostname: 'idp.example.test', protocol: 'https:', port: '443' },
        (...[failure]) => resolve(failure),
      ),
    );
    expect(error?.message).toBe('stopped here');
    expect(connect).toHaveBeenCalledTimes(1);
  });
});

describe('guardedLookup', () => {
  /** Calls the lookup the way net.connect does. */
  const resolveWith = (
    lookup: HostLookup,
    hostname: string,
    options: { all?: boolean; family?: number },
  ): Promise<{ error: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number }> =>
    new Promise((resolve) =>
      guardedLookup(lookup)(hostname, options, (error, address, family) => resolve({ error, address, family })),
    );

  it.each([['10.1.2.3'], ['169.254.169.254'], ['::1'], ['fd00::1']])(
    'hands net.connect no address when the name resolves to %s',
    async (address) => {
      for (const all of [true, false]) {
        const result = await resolveWith(stubLookup({ 'internal.test': [address] }), 'internal.test', { all });
        expect(result.error).toBeInstanceOf(OutboundAddressError);
        expect(result.error?.message).toMatch(/^internal\.test resolves to a private address/);
        expect(result.address).toEqual(all ? [] : '');
      }
    },
  );

  it('answers with every address when asked for all, or the first of the wanted family', async () => {
    const lookup = stubLookup({ 'idp.example.test': ['2606:4700:4700::1111', '93.184.216.34'] });
    expect(await resolveWith(lookup, 'idp.example.test', { all: true })).toEqual({
      error: null,
      address: [
        { address: '2606:4700:4700::1111', family: 6 },
        { address: '93.184.216.34', family: 4 },
      ],
      family: undefined,
    });
    expect(await resolveWith(lookup, 'idp.example.test', { family: 4 })).toEqual({
      error: null,
      address: '93.184.216.34',
      family: 4,
    });
  });

  it('passes a resolver failure on as it came', async () => {
    const result = await resolveWith(
      () => Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND x.test'), { code: 'ENOTFOUND' })),
      'x.test',
      { all: true },
    );
    expect(result.error?.code).toBe('ENOTFOUND');
  });
});
