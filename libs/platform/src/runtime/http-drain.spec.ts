import { Agent, Server, createServer, request } from 'node:http';
import { AddressInfo, Socket, connect } from 'node:net';
import { HttpDrain } from './http-drain';

/** A keep-alive GET on `agent`; resolves with the status and `Connection` header. */
function get(port: number, agent: Agent): Promise<{ status: number; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HttpDrain', () => {
  let server: Server;
  let drain: HttpDrain;
  let port: number;
  let release: () => void;

  beforeEach(async () => {
    const held = new Promise<void>((resolve) => (release = resolve));
    server = createServer((req, res) => {
      // `/slow` answers only once released: a request in flight when draining begins.
      if (req.url === '/slow') void held.then(() => res.end('slow'));
      else res.end('ok');
    });
    drain = new HttpDrain(server, { idleGraceMs: 300, limitMs: 5000 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterEach(() => {
    release();
    server.closeAllConnections();
    server.close();
  });

  it('stops accepting, answers the request in flight with Connection: close, then ends', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    expect(await get(port, agent)).toEqual({ status: 200, connection: 'keep-alive' });
    const slow = new Promise<{ status: number; connection: string | undefined; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/slow', agent }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
      });
      req.on('error', reject);
      req.end();
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const drained = drain.drain();
    // No new connection is taken.
    await expect(
      new Promise((resolve, reject) => connect(port, '127.0.0.1', () => resolve('connected')).on('error', reject)),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    release();
    expect(await slow).toEqual({ status: 200, connection: 'close', body: 'slow' });
    await drained;
    expect(drain.openConnections).toBe(0);
    agent.destroy();
  });

  it('answers a request sent on a connection that looked idle when draining began', async () => {
    const socket: Socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const drained = drain.drain();
    // The client's next request, already on its way when closing began.
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await closed;
    await drained;
    const answers = received.split('HTTP/1.1 ').slice(1);
    expect(answers).toHaveLength(2);
    expect(answers[1]).toMatch(/^200 OK/);
    expect(answers[1].toLowerCase()).toContain('connection: close');
  });

  it('closes a connection that stays idle once the grace has passed', async () => {
    const socket: Socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await drain.drain();
    await closed;
    expect(drain.openConnections).toBe(0);
  });
});
