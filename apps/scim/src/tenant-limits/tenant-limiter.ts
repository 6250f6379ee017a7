/**
 * How much of the SCIM app one tenant may hold at once. A request starts when
 * its tenant serves fewer than `tenantConcurrency` requests and its token fewer
 * than `tokenConcurrency`; otherwise it waits in its tenant's queue (first come,
 * first served among those that may start), at most `maxWaitMs`. A full queue,
 * or a wait that runs out, refuses the request with TenantBusyError (429 with
 * Retry-After). So a tenant that floods holds at most `tenantConcurrency` of the
 * database pool for its costly work, and the others keep theirs.
 *
 * Work left over is not wasted: a request of bounded cost (a lookup by id or by
 * userName, a create; see boundedCost) that finds its token or tenant full may
 * start on a spare slot instead, one of `spareSlots` shared by the whole process,
 * as long as no other tenant has a request running or waiting. So one tenant
 * alone may run more of its cheap requests at once, while a tenant's costly
 * searches never get more than its share, other tenants keep theirs whatever
 * spares are lent, and the lending stops as soon as another tenant comes (the
 * requests already lent a slot are short: they finish).
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
  /** Slots of the process lent to requests of bounded cost beyond their token's or tenant's bounds (0: none). */
  readonly spareSlots: number;
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
  readonly bounded: boolean;
  readonly start: (spare: boolean) => void;
}

interface TenantState {
  /** Requests running on the tenant's own turns (counted against its bounds). */
  active: number;
  /** Requests running on spare slots. */
  spare: number;
  readonly activeByToken: Map<string, number>;
  readonly waiting: Waiter[];
  /** How many of `waiting` each token has (so a release need not scan waiters that cannot start). */
  readonly waitingByToken: Map<string, number>;
}

export class TenantLimiter {
  private readonly tenants = new Map<string, TenantState>();
  /** Spare slots lent now, all tenants together. */
  private lent = 0;

  constructor(private readonly options: TenantLimiterOptions) {}

  /**
   * Resolves when the request may run, with the function that ends its turn; rejects with TenantBusyError.
   * `bounded`: the request's cost is bounded (see boundedCost), so it may run on a spare slot.
   */
  acquire(tenantId: string, tokenId: string, bounded = false): Promise<Release> {
    const state = this.stateOf(tenantId);
    if (this.mayStart(state, tokenId)) return Promise.resolve(this.start(tenantId, state, tokenId, false));
    if (bounded && this.mayLend(tenantId)) return Promise.resolve(this.start(tenantId, state, tokenId, true));
    if (state.waiting.length >= this.options.tenantQueue) {
      this.forgetIfIdle(tenantId, state);
      return Promise.reject(new TenantBusyError('queue-full'));
    }
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = {
        tokenId,
        bounded,
        start: (spare) => {
          clearTimeout(timer);
          resolve(this.start(tenantId, state, tokenId, spare));
        },
      };
      const timer = setTimeout(() => {
        const index = state.waiting.indexOf(waiter);
        if (index === -1) return;
        this.dequeue(state, index);
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
    return { active: (state?.active ?? 0) + (state?.spare ?? 0), waiting: state?.waiting.length ?? 0 };
  }

  /** Spare slots lent now, all tenants together. */
  spareInUse(): number {
    return this.lent;
  }

  private stateOf(tenantId: string): TenantState {
    let state = this.tenants.get(tenantId);
    if (!state) {
      state = { active: 0, spare: 0, activeByToken: new Map(), waiting: [], waitingByToken: new Map() };
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

  /**
   * A spare slot is free, and no other tenant has a request running or waiting (the map holds only tenants
   * with requests in flight): spares serve one tenant alone, and stop being lent as soon as another one comes.
   */
  private mayLend(tenantId: string): boolean {
    if (this.lent >= this.options.spareSlots) return false;
    for (const other of this.tenants.keys()) if (other !== tenantId) return false;
    return true;
  }

  private start(tenantId: string, state: TenantState, tokenId: string, spare: boolean): Release {
    if (spare) {
      state.spare += 1;
      this.lent += 1;
    } else {
      state.active += 1;
      state.activeByToken.set(tokenId, (state.activeByToken.get(tokenId) ?? 0) + 1);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (spare) {
        state.spare -= 1;
        this.lent -= 1;
      } else {
        state.active -= 1;
        const left = (state.activeByToken.get(tokenId) ?? 1) - 1;
        if (left > 0) state.activeByToken.set(tokenId, left);
        else state.activeByToken.delete(tokenId);
      }
      this.startWaiting(tenantId, state);
      this.forgetIfIdle(tenantId, state);
    };
  }

  /**
   * Starts, in arrival order, every waiter that now may (another token's waiter may pass a full token's);
   * then, when none of the tenant's own turns is left for them, its waiters of bounded cost on spare slots.
   */
  private startWaiting(tenantId: string, state: TenantState): void {
    for (
      let index = 0;
      index < state.waiting.length && state.active < this.options.tenantConcurrency && this.someWaiterMayStart(state);
    ) {
      const waiter = state.waiting[index];
      if (this.mayStart(state, waiter.tokenId)) {
        this.dequeue(state, index);
        waiter.start(false);
      } else {
        index += 1;
      }
    }
    for (let index = 0; index < state.waiting.length && this.mayLend(tenantId);) {
      const waiter = state.waiting[index];
      if (waiter.bounded) {
        this.dequeue(state, index);
        waiter.start(true);
      } else {
        index += 1;
      }
    }
  }

  private dequeue(state: TenantState, index: number): void {
    const [waiter] = state.waiting.splice(index, 1);
    this.countWaiting(state, waiter.tokenId, -1);
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
    if (state.active === 0 && state.spare === 0 && state.waiting.length === 0 && this.tenants.get(tenantId) === state) {
      this.tenants.delete(tenantId);
    }
  }
}
