import { readFileSync } from 'node:fs';
import { Server, createServer } from 'node:https';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createOidcApp } from '../../apps/oidc/src/create-oidc-app';
import { adminRequests } from '../support/admin-requests';
import { TestApp, startTestApp } from '../support/test-app';

/** A certificate nobody trusts: self-signed, for localhost, valid for a century. */
const TLS_FIXTURE = join(__dirname, '..', 'fixtures', 'tls');

/**
 * An https:// issuer whose certificate the gateway cannot trust is refused with
 * a sentence an operator understands (and the TLS code), not OpenSSL's text.
 */
describe('an issuer with an untrusted TLS certificate', () => {
  let gateway: TestApp;
  let issuerServer: Server;
  let issuer: string;
  let requests = 0;

  beforeAll(async () => {
    issuerServer = createServer(
      {
        key: readFileSync(join(TLS_FIXTURE, 'self-signed.key')),
        cert: readFileSync(join(TLS_FIXTURE, 'self-signed.crt')),
      },
      (_request, response) => {
        requests++;
        response.writeHead(404).end();
      },
    );
    await new Promise<void>((resolve) => issuerServer.listen(0, '127.0.0.1', resolve));
    issuer = `https://127.0.0.1:${(issuerServer.address() as AddressInfo).port}`;
    gateway = await startTestApp(createOidcApp);
  });
  afterAll(async () => {
    await gateway?.close();
    await new Promise((resolve) => (issuerServer ? issuerServer.close(resolve) : resolve(undefined)));
  });

  it('is 422 saying the certificate is self-signed, with the code, and stores nothing', async () => {
    const admin = adminRequests(gateway.app, gateway.config.adminToken);
    expect((await admin.post('/admin/v1/tenants', { slug: 'acme', name: 'Acme' })).status).toBe(201);

    const put = await admin.put('/admin/v1/tenants/acme/oidc', {
      issuer,
      clientId: 'gateway',
      clientSecret: 'a-client-secret',
    });
    expect(put.status).toBe(422);
    expect(put.body.error.code).toBe('unprocessable');
    expect(put.body.error.message).toBe(
      `discovery of ${issuer} failed: the issuer's TLS certificate is not trusted: it is self-signed (DEPTH_ZERO_SELF_SIGNED_CERT)`,
    );
    // The handshake failed: no request reached the issuer, and no connection was kept.
    expect(requests).toBe(0);
    expect((await admin.get('/admin/v1/tenants/acme/oidc')).status).toBe(404);
  });
});
