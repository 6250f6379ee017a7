import { loggablePath } from './loggable-path';

/** How log lines are written: `json` for machines (production, tests, pipes), `pretty` for a person at a terminal. */
export type LogFormat = 'pretty' | 'json';

/** The format in force: the explicit LOG_FORMAT, else pretty on a terminal and JSON everywhere else. */
export function chooseLogFormat(setting: LogFormat | undefined, stdoutIsTty: boolean): LogFormat {
  return setting ?? (stdoutIsTty ? 'pretty' : 'json');
}

/** The one line a person reads per request: `GET /scim/v2/Users 200 4ms` (never the query string nor a secret). */
export function requestLine(method: string, url: string, status: number, responseTimeMs: number): string {
  return `${method} ${loggablePath(url)} ${status} ${Math.round(responseTimeMs)}ms`;
}

// Nest announces every module and route it wires at start: a hundred lines that
// help when debugging the wiring, and bury what matters on a terminal.
const STARTUP_CONTEXTS: ReadonlySet<string> = new Set([
  'NestFactory',
  'NestApplication',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
]);

/** Whether an info line is Nest's start-up wiring report, which the pretty format leaves out. */
export function isStartupChatter(level: number, firstArgument: unknown): boolean {
  const INFO = 30;
  if (level !== INFO || typeof firstArgument !== 'object' || firstArgument === null) return false;
  const context = (firstArgument as { context?: unknown }).context;
  return typeof context === 'string' && STARTUP_CONTEXTS.has(context);
}

/** Fields the pretty format folds into the message line rather than printing each on a line of its own. */
export const PRETTY_FOLDED_FIELDS = ['context', 'reason', 'reference'] as const;

/**
 * One pretty line: `Context: message — reason (reference …)`. The reason is left out
 * when the message already says it (a refused sign-in's page text usually is its reason);
 * the reference stays, as the error page shows it to the person who reports it.
 */
export function prettyMessage(log: Record<string, unknown>, messageKey: string): string {
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const message = text(log[messageKey]) ?? '';
  const context = text(log.context);
  const reason = text(log.reason);
  const reference = text(log.reference);
  return [
    context ? `${context}: ` : '',
    message,
    reason && !message.includes(reason) ? ` — ${reason}` : '',
    reference ? ` (reference ${reference})` : '',
  ].join('');
}
