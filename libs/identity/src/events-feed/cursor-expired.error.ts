/** A cursor from before the retention horizon: the events after it are gone, so the reader must start over. */
export class CursorExpiredError extends Error {
  override readonly name = 'CursorExpiredError';
  readonly code = 'cursor_expired';

  constructor() {
    super(
      'this cursor is older than the events feed retains; list the directory again and follow the feed from its eventsCursor',
    );
  }
}
