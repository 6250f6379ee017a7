/**
 * How much of the SCIM app one tenant may hold at once. A request starts when
 * its tenant serves fewer than `tenantConcurrency` requests and its token fewer
 * than `tokenConcurrency`; otherwise it waits in its tenant's queue (first come,
 * first served among those that may start), at most `maxWaitMs`. A full queue,
 * or a wait that runs out, refuses the request with TenantBusyError (429 with
 * Retry-After). So a tenant that floods holds at most `tenantConcurrency` of the
 * database pool and the others keep theirs.
 *
 * The counts live in this process: with N replicas a tenant may hold N times as
 * much in all.
 */

/** The bounds of a TenantLimiter. */
export interface TenantLimiterOptions {
  readonly tenantConcurrency: number;
  readonly tokenConcurrency: number;
  /** Requests of one tenant that may wait for a turn. */
  readonly tenantQueue: number;
  /** Longest a request waits for a turn. */
  readonly maxWaitMs: number;
}

/** Ends a request's turn; calling it again does nothing. */
export type Release = () => void;

/** A tenant has more requests in flight than it may: answered 429 with Retry-After. */
export class TenantBusyError extends Error {
  override readonly name = 'TenantBusyError';
  /** When a retry may find room; a turn rarely lasts longer than a second. */
  readonly retryAfterSeconds = 1;

  constructor(readonly reason: 'queue-full' | 'wait-expired') {
    super(
      reason === 'queue-full'
        ? 'too many concurrent requests for this tenant; retry after the time in Retry-After'
        : 'this tenant has had too many requests in flight for too long; retry after the time in Retry-After',
    );
  }
}

interface Waiter {
  readonly tokenId: string;
  readonly start: () => void;
}

interface TenantState {
  active: number;
  readonly activeByToken: Map<string, number>;
  readonly waiting: Waiter[];
  /** How many of `waiting` each token has (so a release need not scan waiters that cannot start). */
  readonly waitingByToken: Map<string, number>;
}

export class TenantLimiter {
  private readonly tenants = new Map<string, TenantState>();

  constructor(private readonly options: TenantLimiterOptions) {}

  /** Resolves when the request may run, with the function that ends its turn; rejects with TenantBusyError. */
  acquire(tenantId: string, tokenId: string): Promise<Release> {
    const state = this.stateOf(tenantId);
    if (this.mayStart(state, tokenId)) return Promise.resolve(this.start(tenantId, state, tokenId));
    if (state.waiting.length >= this.options.tenantQueue) {
      this.forgetIfIdle(tenantId, state);
      return Promise.reject(new TenantBusyError('queue-full'));
    }
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = {
        tokenId,
        start: () => {
          clearTimeout(timer);
          resolve(this.start(tenantId, state, tokenId));
        },
      };
      const timer = setTimeout(() => {
        const index = state.waiting.indexOf(waiter);
        if (index === -1) return;
        state.waiting.splice(index, 1);
        this.countWaiting(state, tokenId, -1);
        this.forgetIfIdle(tenantId, state);
        reject(new TenantBusyError('wait-expired'));
      }, this.options.maxWaitMs);
      state.waiting.push(waiter);
      this.countWaiting(state, tokenId, 1);
    });
  }

  /** Requests of a tenant running and waiting now (for tests and metrics). */
  load(tenantId: string): { readonly active: number; readonly waiting: number } {
    const state = this.tenants.get(tenantId);
    return { active: state?.active ?? 0, waiting: state?.waiting.length ?? 0 };
  }

  private stateOf(tenantId: string): TenantState {
    let state = this.tenants.get(tenantId);
    if (!state) {
      state = { active: 0, activeByToken: new Map(), waiting: [], waitingByToken: new Map() };
      this.tenants.set(tenantId, state);
    }
    return state;
  }

  private mayStart(state: TenantState, tokenId: string): boolean {
    return (
      state.active < this.options.tenantConcurrency &&
      (state.activeByToken.get(tokenId) ?? 0) < this.options.tokenConcurrency
    );
  }

  private start(tenantId: string, state: TenantState, tokenId: string): Release {
    state.active += 1;
    state.activeByToken.set(tokenId, (state.activeByToken.get(tokenId) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      state.active -= 1;
      const left = (state.activeByToken.get(tokenId) ?? 1) - 1;
      if (left > 0) state.activeByToken.set(tokenId, left);
      else state.activeByToken.delete(tokenId);
      this.startWaiting(state);
      this.forgetIfIdle(tenantId, state);
    };
  }

  /** Starts, in arrival order, every waiter that now may (another token's waiter may pass a full token's). */
  private startWaiting(state: TenantState): void {
    for (
      let index = 0;
      index < state.waiting.length && state.active < this.options.tenantConcurrency && this.someWaiterMayStart(state);
    ) {
      const waiter = state.waiting[index];
      if (this.mayStart(state, waiter.tokenId)) {
        state.waiting.splice(index, 1);
        this.countWaiting(state, waiter.tokenId, -1);
        waiter.start();
      } else {
        index += 1;
      }
    }
  }

  /** Whether a token with waiters has room (a tenant has few tokens; its queue may hold dozens). */
  private someWaiterMayStart(state: TenantState): boolean {
    for (const tokenId of state.waitingByToken.keys()) if (this.mayStart(state, tokenId)) return true;
    return false;
  }

  private countWaiting(state: TenantState, tokenId: string, change: 1 | -1): void {
    const count = (state.waitingByToken.get(tokenId) ?? 0) + change;
    if (count > 0) state.waitingByToken.set(tokenId, count);
    else state.waitingByToken.delete(tokenId);
  }

  /** An idle tenant keeps no memory: the map holds only tenants with requests in flight. */
  private forgetIfIdle(tenantId: string, state: TenantState): void {
    if (state.active === 0 && state.waiting.length === 0 && this.tenants.get(tenantId) === state) {
      this.tenants.delete(tenantId);
    }
  }
}
