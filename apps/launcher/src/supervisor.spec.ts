import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Supervisor } from './supervisor';

/** Waits until `condition` holds (child processes take their time on a busy machine). */
async function eventually(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not so within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('Supervisor', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-supervisor-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A child script: appends a line to `runs` each start, then exits with `code` (or stays up when null). */
  const script = (name: string, code: number | null): { entry: string; runs: () => number } => {
    const entry = join(dir, `${name}.js`);
    const runs = join(dir, `${name}.runs`);
    writeFileSync(runs, '');
    writeFileSync(
      entry,
      `require('fs').appendFileSync(${JSON.stringify(runs)}, 'run\\n');` +
        (code === null ? 'setInterval(() => {}, 1000);' : `process.exit(${code});`),
    );
    return { entry, runs: () => readFileSync(runs, 'utf8').split('\n').filter(Boolean).length };
  };

  it('restarts a crashed app after a backoff, saying so, while the others keep running', async () => {
    const said: string[] = [];
    const configErrors: string[] = [];
    const crashing = script('crashing', 1);
    const steady = script('steady', null);
    const supervisor = new Supervisor({
      say: (text) => said.push(text),
      onConfigError: (name) => configErrors.push(name),
      whenBack: () => Promise.resolve(true),
    });
    supervisor.start(
      [
        { name: 'crashing', entry: crashing.entry },
        { name: 'steady', entry: steady.entry },
      ],
      process.env,
    );
    try {
      await eventually(() => crashing.runs() >= 3);
      expect(said[0]).toMatch(/^crashing stopped unexpectedly \(exit code 1\); restarting it in 1 s \(at /);
      expect(said).toContainEqual(
        expect.stringMatching(/^crashing stopped unexpectedly \(exit code 1\); restarting it in 2 s/),
      );
      expect(said).toContain('crashing is back');
      expect(configErrors).toEqual([]);
      expect(steady.runs()).toBe(1);
      expect(supervisor.running()).toContain('steady');
    } finally {
      await supervisor.stop();
    }
    const runsAtStop = crashing.runs();
    await new Promise((resolve) => setTimeout(resolve, 2500));
    // Stopped means stopped: no restart is pending.
    expect(crashing.runs()).toBe(runsAtStop);
    expect(supervisor.running()).toEqual([]);
  }, 60_000);

  it('does not restart an app that stopped on a configuration error', async () => {
    const said: string[] = [];
    const configErrors: string[] = [];
    const misconfigured = script('misconfigured', 78);
    const supervisor = new Supervisor({
      say: (text) => said.push(text),
      onConfigError: (name) => configErrors.push(name),
      whenBack: () => Promise.resolve(true),
    });
    supervisor.start([{ name: 'misconfigured', entry: misconfigured.entry }], process.env);
    await eventually(() => configErrors.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(configErrors).toEqual(['misconfigured']);
    expect(misconfigured.runs()).toBe(1);
    expect(said).toEqual([]);
    await supervisor.stop();
  }, 60_000);
});
