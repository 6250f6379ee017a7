// `npm start` runs this before its build: the port check of the launcher's last build
// (dist/apps/launcher/src/preflight.js), so that a second start beside a running gateway
// stops before rebuilding dist/ under it. Plain JavaScript because nothing is built yet;
// on a fresh clone there is no build, and nothing of this folder running to disturb.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const check = join(__dirname, '..', '..', 'dist', 'apps', 'launcher', 'src', 'preflight.js');
if (existsSync(check)) require(check);
