import { InvalidArgumentError } from 'commander';

/** A `--port` value: 0 (any free port) to 65535. */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('a port is a number from 0 to 65535');
  return port;
}

/** Ctrl-C or SIGTERM closes the server, then the process exits on its own. */
export function stopOnSignals(close: () => Promise<void>): void {
  const stop = () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    close().catch((error: unknown) => {
      process.stderr.write(`error while stopping: ${String(error)}\n`);
      process.exitCode = 1;
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
