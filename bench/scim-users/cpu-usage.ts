import { readFileSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';

/** CPU seconds used so far, split by who used them (Linux /proc). */
export interface CpuSnapshot {
  readonly server: number;
  /**
   * CPU seconds of each backend of the benchmark's own database (their process title names it), by pid:
   * pools close idle connections, so a sum over whoever is alive would drop when one exits.
   */
  readonly postgres: ReadonlyMap<number, number>;
  /** This process: the load generator. */
  readonly loadGenerator: number;
  /** Whole machine, in CPU seconds summed over cores. */
  readonly machineBusy: number;
  readonly machineTotal: number;
}

/** CPU used between two snapshots, in cores (1.0 = one core busy the whole time). */
export interface CpuShare {
  readonly server: number;
  readonly postgres: number;
  readonly loadGenerator: number;
  /** Everything else on the machine: above a few hundredths, something else was running. */
  readonly others: number;
  /** Busy share of the whole machine, 0..1. */
  readonly machineBusy: number;
  /** CPU seconds of the server and of PostgreSQL, for per-request figures. */
  readonly serverSeconds: number;
  readonly postgresSeconds: number;
}

// USER_HZ: /proc reports CPU time in clock ticks of 1/100 s on Linux.
const TICKS_PER_SECOND = 100;

/** Below this share of busy CPU the machine counts as quiet. */
export const QUIET = 0.15;

export function cpuSnapshot(serverPid: number, databaseName: string): CpuSnapshot {
  const machine = machineTicks();
  const self = process.cpuUsage();
  return {
    server: processTicks(serverPid) / TICKS_PER_SECOND,
    postgres: postgresBackends(databaseName),
    loadGenerator: (self.user + self.system) / 1e6,
    machineBusy: machine.busy / TICKS_PER_SECOND,
    machineTotal: machine.total / TICKS_PER_SECOND,
  };
}

/**
 * Waits until the machine was less than QUIET busy for a whole second (or `maxWaitMs` passed):
 * every process shares the same cores, so a build or a test run beside the benchmark skews it.
 * Returns the busy share of that last second.
 */
export async function waitForQuiet(maxWaitMs: number): Promise<number> {
  const deadline = Date.now() + maxWaitMs;
  let busy = await machineBusyOver(1000);
  while (busy > QUIET && Date.now() < deadline) busy = await machineBusyOver(1000);
  return busy;
}

async function machineBusyOver(ms: number): Promise<number> {
  const before = machineTicks();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = machineTicks();
  return (after.busy - before.busy) / (after.total - before.total);
}

function machineTicks(): { busy: number; total: number } {
  const ticks = (readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '').split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((sum, value) => sum + value, 0);
  // idle and iowait count as not busy.
  return { busy: total - (ticks[3] ?? 0) - (ticks[4] ?? 0), total };
}

export function cpuShare(before: CpuSnapshot, after: CpuSnapshot, seconds: number): CpuShare {
  const delta = (key: 'server' | 'loadGenerator' | 'machineBusy' | 'machineTotal') => after[key] - before[key];
  // Backends that exited meanwhile are left out (their last moments with them); new ones count whole.
  let postgresSeconds = 0;
  for (const [pid, used] of after.postgres) postgresSeconds += used - (before.postgres.get(pid) ?? 0);
  const busyCores = delta('machineBusy') / (delta('machineTotal') / cpus().length);
  const server = delta('server') / seconds;
  const postgres = postgresSeconds / seconds;
  const loadGenerator = delta('loadGenerator') / seconds;
  return {
    server,
    postgres,
    loadGenerator,
    others: Math.max(0, busyCores - server - postgres - loadGenerator),
    machineBusy: delta('machineBusy') / delta('machineTotal'),
    serverSeconds: delta('server'),
    postgresSeconds,
  };
}

function processTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name: state is field 3, utime 14 and stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0; // the process has exited
  }
}

function postgresBackends(databaseName: string): Map<number, number> {
  const backends = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // A backend's title: "postgres: 15/main: postgres gw_bench_1a2b3c4d 127.0.0.1(51234) idle".
      const title = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (title.startsWith('postgres: ') && title.includes(` ${databaseName} `)) {
        backends.set(Number(entry), processTicks(Number(entry)) / TICKS_PER_SECOND);
      }
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return backends;
}
