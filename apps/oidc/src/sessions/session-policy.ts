/** How long sessions live. */
export interface SessionPolicy {
  /** A session unused this long ends. */
  readonly idleMs: number;
  /** A session ends this long after sign-in, however busy. */
  readonly absoluteMs: number;
  /** Use is recorded at most this often, sparing Redis a write per request. */
  readonly touchEveryMs: number;
}

/** Injection token of the SessionPolicy (tests shorten it). */
export const SESSION_POLICY = Symbol('SESSION_POLICY');

export const DEFAULT_SESSION_POLICY: SessionPolicy = {
  idleMs: 2 * 3600_000,
  absoluteMs: 12 * 3600_000,
  touchEveryMs: 60_000,
};
