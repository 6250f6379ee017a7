import { defineConfig } from 'vite';

/**
 * The setup portal and the operator console: one static bundle in dist/web,
 * served by the OIDC app under /web/ (assets) with /portal and /console falling
 * back to index.html. Paths are relative to the repository root, where
 * `npm run build` runs.
 */
export default defineConfig({
  root: 'apps/web',
  base: '/web/',
  publicDir: false,
  // React 19's automatic runtime: no `import React` in every file.
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    assetsDir: 'assets',
    // Inlined assets become data: URLs; the CSP allows images only from 'self' and data:, nothing else needs them.
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
  },
  logLevel: 'warn',
});
