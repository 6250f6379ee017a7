/**
 * What a failed write is called in a log line: its code (a PostgreSQL SQLSTATE, ECONNREFUSED)
 * or its name, never its message, which for a database error may quote the row.
 */
export function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { code, name } = error as { code?: unknown; name?: unknown };
    if (typeof code === 'string' || typeof code === 'number') return String(code);
    if (typeof name === 'string') return name;
  }
  return 'unknown';
}
