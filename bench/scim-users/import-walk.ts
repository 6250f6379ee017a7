import type { BenchServer } from './bench-servers';
import { cpuShare, cpuSnapshot, type CpuShare, type CpuSnapshot } from './cpu-usage';

/** Pages at each end of the walk whose CPU use is compared. */
const END_PAGES = 50;

/** How a whole import went: every page of `GET /Users?startIndex=…&count=…`, one after another. */
export interface ImportWalk {
  readonly pageSize: number;
  readonly totalResults: number;
  /** False when the walk was cut off at its time limit. */
  readonly complete: boolean;
  readonly pages: number;
  /** Users received, and how many distinct ids among them (equal when paging is stable). */
  readonly received: number;
  readonly distinctIds: number;
  readonly totalMs: number;
  readonly firstPageMs: number;
  readonly lastPageMs: number;
  /** Medians of the first and of the last five pages: less noisy than single pages. */
  readonly firstPagesMedianMs: number;
  readonly lastPagesMedianMs: number;
  readonly slowestPage: { readonly startIndex: number; readonly ms: number };
  /** Page times, in order, for the curious. */
  readonly pageMs: readonly number[];
  /** CPU of the whole walk (`others` above a few hundredths: something else was running). */
  readonly cpu: CpuShare;
  /** CPU ms per page in the gateway and in PostgreSQL, over the first and over the last END_PAGES pages. */
  readonly firstPagesCpuMs: { readonly server: number; readonly postgres: number };
  readonly lastPagesCpuMs: { readonly server: number; readonly postgres: number };
}

interface ListPage {
  totalResults: number;
  Resources?: { id: string }[];
}

/**
 * Pages through every user as Okta's import does: sequentially, startIndex 1, 1 + count, … until
 * totalResults; gives up (complete: false) after `limitMs`.
 */
export async function walkImport(
  server: BenchServer,
  databaseName: string,
  token: string,
  pageSize: number,
  limitMs: number,
): Promise<ImportWalk> {
  const ids = new Set<string>();
  const pageMs: number[] = [];
  let received = 0;
  let totalResults = Infinity;
  let complete = true;
  const snapshot = () => cpuSnapshot(server.pid, databaseName);
  const marks: { start: CpuSnapshot; afterFirst?: CpuSnapshot; beforeLast?: CpuSnapshot } = { start: snapshot() };
  const started = performance.now();
  for (let startIndex = 1; startIndex <= totalResults; startIndex += pageSize) {
    if (performance.now() - started > limitMs) {
      complete = false;
      break;
    }
    // Read /proc between pages only, never inside a timed one.
    if (pageMs.length === END_PAGES) marks.afterFirst = snapshot();
    if (startIndex + END_PAGES * pageSize > totalResults && !marks.beforeLast) marks.beforeLast = snapshot();
    const pageStarted = performance.now();
    const page = await fetchPage(server, token, startIndex, pageSize);
    pageMs.push(performance.now() - pageStarted);
    totalResults = page.totalResults;
    const resources = page.Resources ?? [];
    if (resources.length === 0) break;
    received += resources.length;
    for (const resource of resources) ids.add(resource.id);
  }
  const totalMs = performance.now() - started;
  const end = snapshot();
  const perPage = (from: CpuSnapshot | undefined, to: CpuSnapshot | undefined) => {
    if (!from || !to) return { server: NaN, postgres: NaN };
    const used = cpuShare(from, to, 1);
    return { server: (used.serverSeconds * 1000) / END_PAGES, postgres: (used.postgresSeconds * 1000) / END_PAGES };
  };
  const slowest = pageMs.reduce((worst, ms, index) => (ms > (pageMs[worst] ?? 0) ? index : worst), 0);
  return {
    pageSize,
    totalResults,
    complete,
    pages: pageMs.length,
    received,
    distinctIds: ids.size,
    totalMs,
    firstPageMs: pageMs[0] ?? NaN,
    lastPageMs: pageMs[pageMs.length - 1] ?? NaN,
    firstPagesMedianMs: median(pageMs.slice(0, 5)),
    lastPagesMedianMs: median(pageMs.slice(-5)),
    slowestPage: { startIndex: 1 + slowest * pageSize, ms: pageMs[slowest] ?? NaN },
    pageMs,
    cpu: cpuShare(marks.start, end, totalMs / 1000),
    firstPagesCpuMs: perPage(marks.start, marks.afterFirst),
    lastPagesCpuMs: complete ? perPage(marks.beforeLast, end) : perPage(undefined, undefined),
  };
}

async function fetchPage(server: BenchServer, token: string, startIndex: number, count: number): Promise<ListPage> {
  const response = await fetch(`${server.url}/scim/v2/Users?startIndex=${startIndex}&count=${count}`, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/scim+json' },
  });
  const text = await response.text();
  if (response.status !== 200)
    throw new Error(`page startIndex=${startIndex}: HTTP ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as ListPage;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return NaN;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
