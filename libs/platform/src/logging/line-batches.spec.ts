import { mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { destination } from 'pino';
import { LineBatches, type LineTarget } from './line-batches';

/** A target that keeps what it is handed, for the batching rules alone. */
function recorder(): LineTarget & { readonly writes: string[]; flushes: number; syncFlushes: number; ended: boolean } {
  return {
    writes: [],
    flushes: 0,
    syncFlushes: 0,
    ended: false,
    write(data: string) {
      this.writes.push(data);
    },
    flush(callback?: (error?: Error) => void) {
      this.flushes += 1;
      callback?.();
    },
    flushSync() {
      this.syncFlushes += 1;
    },
    end() {
      this.ended = true;
    },
  };
}

const lineOf = (n: number): string => `${JSON.stringify({ level: 30, n, msg: n % 7 === 0 ? 'café ✓ 😀' : 'line' })}\n`;

function tempFile(): { path: string; fd: number } {
  const path = join(mkdtempSync(join(tmpdir(), 'line-batches-')), 'out.log');
  return { path, fd: openSync(path, 'w') };
}

describe('LineBatches', () => {
  it('hands its lines on as one string once they reach the batch length, not before', () => {
    const target = recorder();
    const batches = new LineBatches(target, 100);
    const lines = ['a'.repeat(30), 'b'.repeat(30), 'c'.repeat(30)];
    lines.forEach((line) => batches.write(line));
    expect(target.writes).toEqual([]);
    batches.write('d'.repeat(10));
    expect(target.writes).toEqual([`${lines.join('')}${'d'.repeat(10)}`]);
    batches.write('e');
    expect(target.writes).toHaveLength(1);
  });

  it('hands on what it holds at flush and at end, and nothing when it holds nothing', () => {
    const target = recorder();
    const batches = new LineBatches(target, 4096);
    const flushed = jest.fn();
    batches.flush(flushed);
    expect(target.writes).toEqual([]);
    expect(flushed).toHaveBeenCalledTimes(1);
    batches.write('one\n');
    batches.flush();
    batches.write('two\n');
    batches.end();
    expect(target.writes).toEqual(['one\n', 'two\n']);
    expect(target.ended).toBe(true);
  });

  it('writes every line to a sonic-boom destination whole and in order', async () => {
    const file = tempFile();
    const sonic = destination({ dest: file.fd, sync: false });
    const batches = new LineBatches(sonic, 4096);
    const lines = Array.from({ length: 3000 }, (_, n) => lineOf(n));
    lines.forEach((line) => batches.write(line));
    await new Promise<void>((resolve, reject) => batches.flush((error) => (error ? reject(error) : resolve())));
    await new Promise<void>((resolve) => {
      sonic.once('finish', resolve);
      sonic.end();
    });
    expect(readFileSync(file.path, 'utf8')).toBe(lines.join(''));
  });

  it('writes each batch at once to a synchronous destination, and what it still gathers at flushSync', () => {
    const file = tempFile();
    const sonic = destination({ dest: file.fd, sync: true });
    const batches = new LineBatches(sonic, 1000);
    const lines = Array.from({ length: 50 }, (_, n) => lineOf(n));
    lines.forEach((line) => batches.write(line));
    const written = readFileSync(file.path, 'utf8');
    expect(written.length).toBeGreaterThanOrEqual(1000);
    expect(written.length).toBeLessThan(lines.join('').length);
    expect(lines.join('').startsWith(written)).toBe(true);
    batches.flushSync();
    expect(readFileSync(file.path, 'utf8')).toBe(lines.join(''));
  });
});
