import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where the built bundle's hashed files are served; Vite's `base` in apps/web/vite.config.mts says the same. */
export const WEB_ASSETS_PATH = '/web/assets/';

/** The single-page apps: every path under them is answered with index.html, and the app routes inside. */
export const WEB_APP_PATHS = ['/portal', '/console'] as const;

/**
 * The portal and the console load their own script and stylesheet and call
 * only their own API: no inline script or style (React renders none, and the
 * pages use classes, not style attributes), no other origin, no framing
 * (clickjacking an operator or an IT admin).
 */
export const WEB_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-frame-options': 'DENY',
};

/**
 * Serves the web front end from dist/web: hashed assets cached for a year
 * (a new build has new names), index.html never cached (so a deploy is seen
 * at once and a session's page is never kept by a shared cache). Without a
 * build, the pages say how to make one instead of failing.
 */
export async function mountWebApp(app: NestFastifyApplication, webRoot = findWebRoot()): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  const assets = join(webRoot, 'assets');
  await fastify.register(async (scope: FastifyInstance) => {
    if (existsSync(assets)) {
      await scope.register(fastifyStatic, {
        root: assets,
        prefix: WEB_ASSETS_PATH,
        decorateReply: false,
        index: false,
        cacheControl: false,
        etag: true,
        lastModified: false,
        setHeaders: (reply: FastifyReply) => {
          void reply.headers(WEB_HEADERS);
          void reply.header('cache-control', 'public, max-age=31536000, immutable');
        },
      });
    }
  });

  let index: Buffer | undefined;
  const page = async (request: FastifyRequest, reply: FastifyReply) => {
    void reply.headers(WEB_HEADERS).header('cache-control', 'no-store');
    // The session APIs live beside the pages; an unknown one is a JSON 404, not the app.
    if (/^\/(portal|console)\/api(\/|$)/.test(request.url)) {
      return reply
        .status(404)
        .send({ error: { code: 'not_found', message: `no route ${request.method} ${request.url}` } });
    }
    index ??= readIndex(webRoot);
    if (!index) return reply.status(503).type('text/html; charset=utf-8').send(NOT_BUILT_PAGE);
    return reply.type('text/html; charset=utf-8').send(index);
  };
  for (const path of WEB_APP_PATHS) {
    fastify.get(path, page);
    fastify.get(`${path}/*`, page);
  }
}

function readIndex(webRoot: string): Buffer | undefined {
  try {
    return readFileSync(join(webRoot, 'index.html'));
  } catch {
    return undefined;
  }
}

/** dist/web beside the package.json above this file: the same from dist/ when running and from the sources in tests. */
export function findWebRoot(from = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return join(from, 'web');
    dir = parent;
  }
  return join(dir, 'dist', 'web');
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Not built yet</title></head>
<body><main><h1>The web front end is not built</h1>
<p>The setup portal and the console are built into <code>dist/web</code> by <code>npm run build</code>
(<code>npm start</code> runs it). Build, then reload this page.</p></main></body></html>`;
