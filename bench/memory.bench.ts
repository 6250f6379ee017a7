/**
 * Resident memory of `npm start`, idle: the sum of the RSS of every process it starts (the launcher, the
 * apps' Node.js processes, the embedded PostgreSQL's postmaster and backends), 30 s after it says it is ready.
 *
 *   node bench/run.js bench/memory.bench.ts [--no-build] [--wait=30] [--env NAME=value …]
 *
 * Builds, then starts `node dist/apps/launcher/src/main.js` (what `npm start` runs after its build) with a
 * throwaway DATA_DIR (so an embedded PostgreSQL, initialised first), free ports, its own Redis prefix and
 * otherwise the zero-config defaults, and the launcher's arguments of `npm start` (package.json); `--env` adds
 * settings. `LAUNCHER_ARGS= node bench/run.js bench/memory.bench.ts` measures one process per app instead.
 * Reports RSS and PSS (shared pages divided among the processes that map them) per process and in total,
 * then stops the launcher and removes the data directory and the Redis keys.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { deleteRedisKeys } from './scim-users/bench-environment';
import { Cleanup, buildForRun, freePort, log, superviseRun, writeReport } from './bench-run';

const ROOT = join(__dirname, '..');
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const TARGET_MIB = 300;

interface ProcessMemory {
  readonly pid: number;
  readonly command: string;
  readonly rssKiB: number;
  readonly pssKiB: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'no-build': { type: 'boolean', default: false },
      wait: { type: 'string', default: '30' },
      env: { type: 'string', multiple: true, default: [] },
    },
  });
  const cleanup = new Cleanup();
  const standDown = superviseRun(cleanup, 10 * 60_000);
  try {
    const code = buildForRun(!values['no-build']);
    const dataDir = mkdtempSync(join(tmpdir(), 'gw-memory-'));
    // Run as root, the embedded PostgreSQL runs as the `postgres` user, who must reach DATA_DIR.
    chmodSync(dataDir, 0o755);
    cleanup.add(`remove ${dataDir}`, () => Promise.resolve(rmSync(dataDir, { recursive: true, force: true })));
    const redisPrefix = `gw-bench-${randomBytes(3).toString('hex')}`;
    cleanup.add(`delete Redis keys ${redisPrefix}*`, () => deleteRedisKeys(REDIS_URL, `${redisPrefix}*`));
    const extra = Object.fromEntries(
      values.env.map((pair) => {
        const at = pair.indexOf('=');
        return [pair.slice(0, at), pair.slice(at + 1)];
      }),
    );
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of ['DATABASE_URL', 'ADMIN_TOKEN', 'SECRETS_KEY', 'PUBLIC_URL', 'SCIM_PUBLIC_URL', 'LOG_LEVEL'])
      delete env[name];
    Object.assign(env, {
      DATA_DIR: join(dataDir, 'data'),
      REDIS_URL,
      REDIS_PREFIX: redisPrefix,
      SCIM_PORT: String(await freePort()),
      OIDC_PORT: String(await freePort()),
      WORKER_PORT: String(await freePort()),
      LOG_FORMAT: 'json',
      ...extra,
    });
    const started = Date.now();
    const launcher = spawn(process.execPath, [join(ROOT, 'dist/apps/launcher/src/main.js'), ...launcherArguments()], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise<void>((resolve) => launcher.once('exit', () => resolve()));
    cleanup.add('stop the launcher', async () => {
      if (launcher.exitCode === null && launcher.signalCode === null) launcher.kill('SIGTERM');
      await exited;
    });
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not ready within 120 s:\n${stderr}`)), 120_000);
      launcher.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/ready in/.test(stderr)) {
          clearTimeout(timer);
          resolve();
        }
      });
      launcher.once('exit', (exitCode) => reject(new Error(`the launcher exited (${exitCode}):\n${stderr}`)));
    });
    const readyMs = Date.now() - started;
    log(`ready in ${(readyMs / 1000).toFixed(1)} s; waiting ${values.wait} s`);
    await new Promise((resolve) => setTimeout(resolve, Number(values.wait) * 1000));
    if (launcher.pid === undefined) throw new Error('the launcher has no pid');
    const postmaster = Number(readFileSync(join(dataDir, 'data', 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const processes = [...descendants(launcher.pid), ...descendants(postmaster)].map(memoryOf);
    const total = (pick: (p: ProcessMemory) => number) => processes.reduce((sum, p) => sum + pick(p), 0) / 1024;
    const mib = (kib: number) => (kib / 1024).toFixed(1);
    const settings = Object.entries(extra)
      .map(([name, value]) => `${name}=${value}`)
      .join(' ');
    const report = [
      `# Memory of \`npm start\`, idle (${new Date().toISOString().slice(0, 16)} UTC)`,
      '',
      `Command: \`node bench/run.js bench/memory.bench.ts${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}\` (code: ${code}).`,
      '',
      `Settings: zero-config defaults (embedded PostgreSQL in a fresh DATA_DIR)${settings ? ` plus ${settings}` : ''}; ` +
        `launcher arguments: \`${launcherArguments().join(' ') || '(none: one process per app)'}\`; ` +
        `ready in ${(readyMs / 1000).toFixed(1)} s (initdb included); measured ${values.wait} s later.`,
      '',
      '| process | RSS MiB | PSS MiB |',
      '| --- | ---: | ---: |',
      ...processes.map((p) => `| ${p.pid} ${p.command} | ${mib(p.rssKiB)} | ${mib(p.pssKiB)} |`),
      `| **total (${processes.length} processes)** | **${total((p) => p.rssKiB).toFixed(1)}** | ${total((p) => p.pssKiB).toFixed(1)} |`,
      '',
      `Target: ≤ ${TARGET_MIB} MiB RSS in total: **${total((p) => p.rssKiB) <= TARGET_MIB ? 'met' : 'not met'}**.`,
      '',
    ].join('\n');
    writeReport('memory', report);
  } finally {
    standDown();
    await cleanup.run();
  }
}

/** What `npm start` passes to the launcher (package.json), unless --env LAUNCHER_ARGS=… says otherwise. */
function launcherArguments(): string[] {
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
    .scripts;
  const command = /node dist\/apps\/launcher\/src\/main\.js(.*)$/.exec(scripts.start ?? '');
  if (!command) throw new Error('package.json: "start" no longer runs dist/apps/launcher/src/main.js');
  return (process.env.LAUNCHER_ARGS ?? command[1]).split(' ').filter(Boolean);
}

/** `pid` and every process below it (Linux /proc). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const all: number[] = [];
  const visit = (at: number) => {
    all.push(at);
    for (const child of children.get(at) ?? []) visit(child);
  };
  visit(pid);
  return all;
}

function memoryOf(pid: number): ProcessMemory {
  const field = (text: string, name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  let pssKiB = 0;
  try {
    pssKiB = field(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss');
  } catch {
    // smaps_rollup needs Linux 4.14
  }
  const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    .split('\0')
    .filter(Boolean)
    .map((part) => part.replace(/^.*\/(dist|node_modules)\//, '$1/'))
    .join(' ')
    .slice(0, 90);
  return { pid, command, rssKiB: field(status, 'VmRSS'), pssKiB };
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
