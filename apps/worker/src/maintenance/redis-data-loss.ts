/**
 * The key whose absence says Redis lost the gateway's data. It sits under the
 * queue prefix, beside BullMQ's keys (`<prefix>:<queue>:…`): on a Redis Cluster
 * the prefix carries a hash tag (`{gw}`), as BullMQ requires there, so the
 * sentinel lives in the same slot, on the same node, as the queues it stands for.
 */
export function dataSentinelKey(queuePrefix: string): string {
  return `${queuePrefix}:data-sentinel`;
}

/** What one look at the sentinel found. */
export type SentinelCheck = 'present' | 'recreated' | 'recreated-elsewhere';

/**
 * What to do after a look: nothing while the sentinel is there, or after another
 * replica recreated it (that one repairs); repair when this one recreated it.
 */
export function mustRepair(check: SentinelCheck): boolean {
  return check === 'recreated';
}

/** The `run_id` of an `INFO server` answer: it changes whenever Redis restarts. */
export function redisRunId(info: string): string | undefined {
  return /^run_id:([0-9a-f]+)\s*$/m.exec(info)?.[1];
}

/**
 * Whether Redis restarted since the last look: a restart that reloaded a snapshot
 * keeps the sentinel, but loses every job added after the snapshot.
 */
export function restartedSince(previousRunId: string | undefined, runId: string | undefined): boolean {
  return previousRunId !== undefined && runId !== undefined && previousRunId !== runId;
}
