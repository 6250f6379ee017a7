import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';

/**
 * Loopback webhook receivers that note when each message id first arrived (ms since the epoch). They run in a
 * child process (`receivers.process.ts`) so that the benchmark's own pauses do not stamp arrivals late.
 */
export interface LoopbackReceivers {
  readonly urls: string[];
  count(): Promise<number>;
  /** message id → arrival times, one per receiver that got it. */
  arrivals(): Promise<Map<string, number[]>>;
  /** Forgets every arrival (between runs). */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function startReceivers(count: number): Promise<LoopbackReceivers> {
  const child = fork(join(__dirname, '..', 'run.js'), [join(__dirname, 'receivers.process.ts'), String(count)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const urls = await new Promise<string[]>((resolve, reject) => {
    child.once('message', (message: { urls: string[] }) => resolve(message.urls));
    child.once('exit', (code) => reject(new Error(`the receivers' process exited (${code}) before listening`)));
  });
  const ask = requester(child);
  return {
    urls,
    count: () => ask<number>('count'),
    arrivals: async () => new Map(await ask<[string, number[]][]>('arrivals')),
    reset: () => ask<void>('reset'),
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.disconnect();
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** Request/answer over the IPC channel, told apart by a number. */
function requester(child: ChildProcess): <T>(request: string) => Promise<T> {
  let next = 0;
  const waiting = new Map<number, (value: unknown) => void>();
  child.on('message', (message: { id?: number; value?: unknown }) => {
    if (message.id === undefined) return;
    waiting.get(message.id)?.(message.value);
    waiting.delete(message.id);
  });
  return <T>(request: string) =>
    new Promise<T>((resolve) => {
      const id = next++;
      waiting.set(id, resolve as (value: unknown) => void);
      child.send({ request, id });
    });
}
