/** How a BatchWriter buffers and when it writes. */
export interface BatchWriterOptions<Row> {
  /** Writes one batch; a rejection drops the batch (counted), it is never retried. */
  readonly write: (rows: Row[]) => Promise<void>;
  /** A batch is written at most this long after its first row arrived. */
  readonly intervalMs: number;
  /** A batch this large is written at once. */
  readonly batchSize: number;
  /** Rows buffered at most; beyond it a new row is dropped (counted), so memory stays bounded. */
  readonly maxBuffered: number;
  /** Told the rows dropped since it was last told, after a failed write or a full buffer. */
  readonly onDrop?: (dropped: number, cause: unknown) => void;
}

/**
 * Collects rows off the request path and writes them in batches: after `intervalMs`, or at
 * once when `batchSize` are waiting. One write at a time. When the database is away, rows
 * are dropped and counted instead of piling up: a record of requests is not worth slowing
 * or exhausting the app that serves them.
 */
export class BatchWriter<Row> {
  private buffer: Row[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private droppedTotal = 0;
  private closed = false;

  constructor(private readonly options: BatchWriterOptions<Row>) {}

  /** Rows dropped since the start (a full buffer or a failed write). */
  get dropped(): number {
    return this.droppedTotal;
  }

  /** Rows waiting to be written. */
  get pending(): number {
    return this.buffer.length;
  }

  /** Buffers a row; returns at once. */
  push(row: Row): void {
    if (this.closed) return;
    if (this.buffer.length >= this.options.maxBuffered) {
      this.drop(1, new Error('the buffer is full'));
      return;
    }
    this.buffer.push(row);
    if (this.buffer.length >= this.options.batchSize) this.kick();
    else this.timer ??= setTimeout(() => this.kick(), this.options.intervalMs);
  }

  /** Writes everything buffered now, and waits for it. */
  async flush(): Promise<void> {
    while (this.buffer.length > 0 || this.writing) {
      this.kick();
      await this.writing;
    }
  }

  /** Writes what is buffered and takes no more rows. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private kick(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.writing || this.buffer.length === 0) return;
    const batch = this.buffer.splice(0, this.options.batchSize);
    this.writing = this.options
      .write(batch)
      .catch((error: unknown) => this.drop(batch.length, error))
      .finally(() => {
        this.writing = undefined;
        // What arrived meanwhile waits no longer than its interval, or goes now if a batch is full.
        if (this.buffer.length >= this.options.batchSize) this.kick();
        else if (this.buffer.length > 0 && !this.closed) {
          this.timer ??= setTimeout(() => this.kick(), this.options.intervalMs);
        }
      });
  }

  private drop(count: number, cause: unknown): void {
    this.droppedTotal += count;
    this.options.onDrop?.(count, cause);
  }
}
