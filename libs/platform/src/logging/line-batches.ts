import type { DestinationStream } from 'pino';

/** What LineBatches needs of the stream it writes to: a SonicBoom (pino.destination) in practice. */
export interface LineTarget {
  write(data: string): unknown;
  flush(callback?: (error?: Error) => void): void;
  flushSync(): void;
  end(): void;
}

/**
 * Log lines handed on to `target` as one string per batch of about `batchLength` characters, or
 * sooner at `flush` and `flushSync` (the latter at exit: see bufferedStandardOutput).
 *
 * Why not sonic-boom's own `minLength`: it appends each line to the string it holds and measures
 * that string's bytes again at every line (`Buffer.byteLength`, which flattens it), so each line
 * cost a copy of everything buffered: ~3 KiB of garbage per request line, the largest allocation
 * of a SCIM lookup (docs/PERFORMANCE.md). Here the lines of a batch are copied once, by one join.
 */
export class LineBatches implements DestinationStream {
  private lines: string[] = [];
  private length = 0;

  constructor(
    private readonly target: LineTarget,
    private readonly batchLength: number,
  ) {}

  write(line: string): boolean {
    this.lines.push(line);
    this.length += line.length;
    if (this.length >= this.batchLength) this.handOn();
    return true;
  }

  /** Hands on what is gathered; `callback` once the target has written it. */
  flush(callback?: (error?: Error) => void): void {
    this.handOn();
    this.target.flush(callback);
  }

  flushSync(): void {
    this.handOn();
    this.target.flushSync();
  }

  end(): void {
    this.handOn();
    this.target.end();
  }

  private handOn(): void {
    if (this.lines.length === 0) return;
    const batch = this.lines.join('');
    this.lines = [];
    this.length = 0;
    this.target.write(batch);
  }
}
