import type { AdminClient } from './admin-client';

/** What a group of commands needs from the program: the admin API, and output in the chosen format. */
export interface CliContext {
  client(): AdminClient;
  /** Prints `value` as JSON with `--json`, else the human rendering. */
  print(value: unknown, human: () => string): void;
}
