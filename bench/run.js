// Runs a TypeScript benchmark from source: `node bench/run.js bench/<name>.bench.ts [args…]`.
//
// Why a hook and not the build: tsconfig.build.json leaves bench/ out of dist/, and neither ts-node nor
// @swc-node is installed. This compiles each required .ts file with @swc/core (installed for Jest) and the
// repository's .swcrc, and resolves the `@app/*` aliases as jest.config.js does. The benchmark files are
// still type-checked and linted with the rest (`npm run typecheck`, `npm run lint`: tsconfig.json includes bench/).
'use strict';
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const { join, resolve } = require('node:path');
const { transformSync } = require('@swc/core');

const root = join(__dirname, '..');
const swcOptions = { ...JSON.parse(readFileSync(join(root, '.swcrc'), 'utf8')), swcrc: false };
delete swcOptions.$schema;
const aliases = { '@app/identity': 'libs/identity/src', '@app/platform': 'libs/platform/src' };

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveAlias(request, ...rest) {
  for (const [alias, target] of Object.entries(aliases)) {
    if (request === alias || request.startsWith(`${alias}/`)) {
      return resolveFilename.call(this, join(root, target, request.slice(alias.length)), ...rest);
    }
  }
  return resolveFilename.call(this, request, ...rest);
};

Module._extensions['.ts'] = function compileTypeScript(module, filename) {
  const { code } = transformSync(readFileSync(filename, 'utf8'), { ...swcOptions, filename });
  module._compile(code, filename);
};

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  process.stderr.write('usage: node bench/run.js bench/<name>.bench.ts [args…]\n');
  process.exit(64);
}
// Loaded as the main module, so `require.main === module` holds in the entry as under plain `node`.
process.argv = [process.argv[0], resolve(entry), ...args];
Module.runMain();
