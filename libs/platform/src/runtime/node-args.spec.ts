import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCIM_NODE_ARGS } from './node-args';

const ROOT = join(__dirname, '..', '..', '..', '..');
const ENTRY = 'dist/apps/scim/src/main.js';

describe('the Node.js flags of the SCIM app', () => {
  it('are those of `npm run start:scim`', () => {
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
      .scripts;
    expect(scripts['start:scim']).toBe(['node', ...SCIM_NODE_ARGS, ENTRY].join(' '));
  });

  it('are those of the scim service in docker/compose.yaml', () => {
    const compose = readFileSync(join(ROOT, 'docker', 'compose.yaml'), 'utf8');
    expect(compose).toContain(`command: ${JSON.stringify(['node', ...SCIM_NODE_ARGS, ENTRY]).replaceAll(',', ', ')}`);
  });
});
