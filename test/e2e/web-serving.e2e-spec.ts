import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { createOidcApp } from '../../apps/oidc/src/create-oidc-app';
import { findWebRoot, mountWebApp } from '../../apps/oidc/src/web/web-app';
import { TestApp, startTestApp } from '../support/test-app';

/**
 * The OIDC app serves the built front end (npm run build puts it in dist/web):
 * the two single-page apps with their fallback, the hashed assets, and the
 * headers that keep them safe (strict CSP, no framing, no caching of pages).
 */
describe('the web front end as the OIDC app serves it', () => {
  let oidc: TestApp;
  const webRoot = findWebRoot();

  beforeAll(async () => {
    oidc = await startTestApp(createOidcApp);
  });

  afterAll(async () => {
    await oidc?.close();
  });

  const get = (url: string) => oidc.app.inject({ method: 'GET', url });

  it.each(['/portal', '/portal/domains', '/console', '/console/tenants/acme', '/console/subscriptions/x/y'])(
    'answers %s with the app page, never cached, under a strict CSP',
    async (url) => {
      const response = await get(url);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.body).toContain('<div id="root"></div>');
      expect(response.headers['cache-control']).toBe('no-store');
      const csp = String(response.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("style-src 'self';");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(response.headers['x-frame-options']).toBe('DENY');
      // No inline script or style in the page itself: the CSP would block it.
      expect(response.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(response.body).not.toMatch(/<style|style="/);
    },
  );

  it('serves the hashed assets for a year, and a missing one as 404', async () => {
    const files = readdirSync(join(webRoot, 'assets'));
    const script = files.find((file) => file.endsWith('.js'));
    const style = files.find((file) => file.endsWith('.css'));
    expect(script).toBeDefined();
    expect(style).toBeDefined();
    const page = await get('/portal');
    expect(page.body).toContain(`/web/assets/${script}`);
    expect(page.body).toContain(`/web/assets/${style}`);

    const js = await get(`/web/assets/${script}`);
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const css = await get(`/web/assets/${style}`);
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expect(css.body).not.toContain('sourceMappingURL');

    expect((await get('/web/assets/nothing-here.js')).statusCode).toBe(404);
    expect((await get('/web/assets/../index.html')).statusCode).toBe(404);
  });

  it('leaves unknown session API paths a JSON 404 rather than the app', async () => {
    const response = await get('/portal/api/nothing');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: expect.objectContaining({ code: 'not_found' }) });
  });

  it('says how to build the front end when dist/web is missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'gw-web-'));
    @Module({})
    class EmptyModule {}
    const app = await NestFactory.create<NestFastifyApplication>(EmptyModule, new FastifyAdapter(), { logger: false });
    await mountWebApp(app, join(empty, 'web'));
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    try {
      const response = await app.inject({ method: 'GET', url: '/console' });
      expect(response.statusCode).toBe(503);
      expect(response.body).toContain('npm run build');
      expect(response.headers['cache-control']).toBe('no-store');
    } finally {
      await app.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
