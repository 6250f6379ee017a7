import type { ImportWalk } from './import-walk';
import { QUIET } from './cpu-usage';
import type { LoadResult, LoadSettings } from './load-run';

/** Where and how the numbers were taken. */
export interface BenchContext {
  readonly date: string;
  readonly command: string;
  /** The code measured: commit, and whether the working tree differed. */
  readonly code: string;
  readonly machine: string;
  readonly settings: LoadSettings;
  /** How rounds and repeats were chosen (see the benchmark's options). */
  readonly method: string;
  readonly seeded: string;
}

/** A goal the gateway is held to (docs/PERFORMANCE.md). */
export interface Target {
  readonly name: string;
  readonly goal: string;
  readonly observed: string;
  readonly met: boolean;
}

/** Gateway req/s over the bare server's, for a scenario both ran. */
export function ratio(results: readonly LoadResult[], scenario: string): number | undefined {
  const gateway = results.find((r) => r.scenario === scenario && r.server === 'gateway');
  const bare = results.find((r) => r.scenario === scenario && r.server === 'bare');
  return gateway && bare && bare.requestsPerSecond > 0 ? gateway.requestsPerSecond / bare.requestsPerSecond : undefined;
}

/** The whole report, in Markdown: what docs/PERFORMANCE.md quotes. */
export function renderReport(
  context: BenchContext,
  results: readonly LoadResult[],
  walk: ImportWalk | undefined,
  targets: readonly Target[],
): string {
  return [
    `## SCIM \`/Users\` throughput and latency (${context.date})`,
    '',
    `Command: \`${context.command}\` (code: ${context.code}).`,
    '',
    `Machine: ${context.machine}.`,
    '',
    `Load: autocannon, ${context.settings.connections} connections, ${context.settings.durationSeconds} s per run after a ` +
      `${context.settings.warmupSeconds} s warm-up, from the same machine over loopback; ${context.method}. ` +
      `Data: ${context.seeded}.`,
    '',
    ...loadTable(results),
    '',
    ...(walk ? importTable(walk) : []),
    '',
    '| target | goal | observed | met |',
    '| --- | --- | --- | --- |',
    ...targets.map((t) => `| ${t.name} | ${t.goal} | ${t.observed} | ${t.met ? 'yes' : '**no**'} |`),
    '',
  ].join('\n');
}

function loadTable(results: readonly LoadResult[]): string[] {
  const rows = results.map((r) => {
    const versus = r.server === 'gateway' ? ratio(results, r.scenario) : undefined;
    return (
      `| ${r.scenario} | ${r.server} | ${fixed(r.requestsPerSecond, 0)} | ${fixed(r.p50Ms, 1)} | ${fixed(r.p99Ms, 1)} | ` +
      `${versus === undefined ? '' : percent(versus)} | ` +
      `${fixed(r.serverCpuMsPerRequest, 2)} / ${fixed(r.postgresCpuMsPerRequest, 2)} | ` +
      `${fixed(r.cpu.server, 2)} / ${fixed(r.cpu.postgres, 2)} / ${fixed(r.cpu.loadGenerator, 2)} / ${fixed(r.cpu.others, 2)} | ` +
      `${notes(r).join('; ') || '–'} |`
    );
  });
  return [
    '| scenario | server | req/s (2xx) | p50 ms | p99 ms | gateway / bare | CPU ms per request: server / PostgreSQL | ' +
      'cores used: server / PostgreSQL / autocannon / other | notes |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows,
  ];
}

/** Other processes using more than this many cores during a run make its numbers suspect. */
const OTHERS_NOTICEABLE = 0.1;

function notes(result: LoadResult): string[] {
  const notes: string[] = [];
  const rounds = result.roundsRequestsPerSecond ?? [];
  if (rounds.length > 1)
    notes.push(`best of ${rounds.length} rounds: ${rounds.map((r) => fixed(r, 0)).join(' / ')} req/s`);
  if (result.non2xx + result.errors > 0) {
    notes.push(`${result.non2xx} non-2xx, ${result.errors} errors (${result.statusCodes})`);
  }
  if (result.busyBefore > QUIET) notes.push(`machine already ${percent(result.busyBefore)} busy before the run`);
  if (result.cpu.others > OTHERS_NOTICEABLE) notes.push('other processes were busy during the run');
  return notes;
}

function importTable(walk: ImportWalk): string[] {
  const quartiles = [0, 0.25, 0.5, 0.75, 1].map((q) => {
    const index = Math.round(q * (walk.pageMs.length - 1));
    return `${fixed(walk.pageMs[index] ?? NaN, 1)} (startIndex ${1 + index * walk.pageSize})`;
  });
  const cpuPerPage = (cpu: { server: number; postgres: number }) =>
    `${fixed(cpu.server, 1)} / ${fixed(cpu.postgres, 1)}`;
  return [
    `Whole import through the gateway: \`GET /scim/v2/Users?startIndex=N&count=${walk.pageSize}\`, one page after another` +
      (walk.complete ? '.' : ' — **cut off at its time limit**.'),
    '',
    '| pages | users received (distinct ids) | total | first page | last page | median of first 5 / last 5 pages | slowest page |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${walk.pages} | ${walk.received} (${walk.distinctIds}) of ${walk.totalResults} | ${fixed(walk.totalMs / 1000, 1)} s | ` +
      `${fixed(walk.firstPageMs, 1)} ms | ${fixed(walk.lastPageMs, 1)} ms | ` +
      `${fixed(walk.firstPagesMedianMs, 1)} ms / ${fixed(walk.lastPagesMedianMs, 1)} ms | ` +
      `${fixed(walk.slowestPage.ms, 1)} ms (startIndex ${walk.slowestPage.startIndex}) |`,
    '',
    `Page times (ms) across the walk, at 0 / 25 / 50 / 75 / 100 %: ${quartiles.join(', ')}.`,
    `CPU ms per page, gateway / PostgreSQL: ${cpuPerPage(walk.firstPagesCpuMs)} over the first 50 pages, ` +
      `${cpuPerPage(walk.lastPagesCpuMs)} over the last 50. ` +
      `Cores used by other processes during the walk: ${fixed(walk.cpu.others, 2)}.`,
  ];
}

export function fixed(value: number, digits: number): string {
  return Number.isFinite(value)
    ? value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '–';
}

export function percent(value: number): string {
  return Number.isFinite(value) ? `${Math.round(value * 100)} %` : '–';
}
