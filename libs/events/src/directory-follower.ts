import type { IdentityEvent } from '@app/identity/events/identity-event';
import type { DirectoryGroup, DirectoryUser } from '@app/identity/directory/directory.views';
import { ClientCredentials, ClientCredentialsOptions } from './client-credentials';

export type { DirectoryGroup, DirectoryUser };

/**
 * What the follower hands over, in order: the directory as it stands (`user`,
 * `group`, `member`), then `backfilled`, then each `event` of the feed; a
 * `checkpoint` when the feed moved past events that needed no handling (stale,
 * or of other types); `resync` when the saved cursor had expired and the
 * directory is read again from the start.
 */
export type DirectoryChange =
  | { readonly kind: 'user'; readonly user: DirectoryUser }
  | { readonly kind: 'group'; readonly group: DirectoryGroup }
  | { readonly kind: 'member'; readonly groupId: string; readonly user: DirectoryUser }
  | { readonly kind: 'backfilled' }
  | { readonly kind: 'event'; readonly event: IdentityEvent }
  | { readonly kind: 'checkpoint' }
  | { readonly kind: 'resync'; readonly reason: string };

/** The subject of an event: a user or a group, by id. */
export interface SubjectRef {
  readonly type: 'user' | 'group';
  readonly id: string;
}

export interface DirectoryFollowerOptions extends ClientCredentialsOptions {
  /** The tenant to follow (its slug). */
  readonly tenant: string;
  /** The cursor saved last time: follow the feed from there. Without one, the directory is read first. */
  readonly cursor?: string | null;
  /**
   * Handles one change. When `cursor` is not null, save it once the change is
   * handled: starting again from it misses nothing (and may hand over again, at
   * most, the rest of the page this change came in, which `sequence` tells apart).
   * A throw stops the follower; `run()` rejects with it.
   */
  readonly handle: (change: DirectoryChange, cursor: string | null) => Promise<void>;
  /**
   * The `sequence` your store holds for a subject (the latest change of it you
   * applied; for a deleted one, its `*.deleted` event's, kept as a tombstone), or
   * undefined when it holds none. The follower remembers what it saw only while it
   * runs: restarted from a saved cursor, it would hand over again events your store
   * is already past (a change in the directory listing whose event is stamped after
   * `eventsCursor`, the rest of a page). With this, it drops those too; without it,
   * compare the sequence yourself in `handle`.
   */
  readonly knownSequence?: (subject: SubjectRef) => number | undefined | Promise<number | undefined>;
  /** Event type patterns to follow (default every type). */
  readonly types?: readonly string[];
  /** Seconds each feed request waits for new events (default 25, at most 30). */
  readonly waitSeconds?: number;
  /** Called on a failed request before it is tried again (default: ignored). */
  readonly onError?: (error: Error) => void;
}

/** A page of a directory listing, as the products API sends it. */
interface DirectoryPage<Item> {
  readonly data: Item[];
  readonly nextCursor: string | null;
  readonly eventsCursor: string;
}

/** The products API's error body. */
interface ApiError {
  readonly error?: { readonly code?: string; readonly message?: string };
}

const PAGE = 500;
const FEED_PAGE = 1000;
const MAX_BACKOFF_MS = 30_000;
/** Subjects whose last sequence is remembered, the least recently seen forgotten first (40,000 users fit many times over). */
const MAX_KNOWN_SUBJECTS = 1_000_000;

/** A request that failed in a way another try will not fix. */
class FollowerStopped extends Error {}

/**
 * Loads a tenant's users and groups through the gateway's directory, then follows
 * its events feed from the `eventsCursor` of the first page, so nothing changed
 * meanwhile is missed; drops an event whose `sequence` is not above what was
 * already seen of its subject (in this run, or in the consumer's store through
 * `knownSequence`); hands every change to `handle` with the cursor to save after
 * it. Restarted with the saved cursor, it goes on from there.
 */
export class DirectoryFollower {
  private readonly credentials: ClientCredentials;
  private readonly fetch: typeof fetch;
  private readonly baseUrl: string;
  private readonly sequences = new Map<string, number>();
  private readonly abort = new AbortController();
  private stopped = false;

  constructor(private readonly options: DirectoryFollowerOptions) {
    this.credentials = new ClientCredentials(options);
    this.fetch = options.fetch ?? fetch;
    this.baseUrl = `${options.gatewayUrl.replace(/\/+$/, '')}/api/v1`;
  }

  /** Backfills (unless started from a cursor), then follows the feed until `stop()`. */
  async run(): Promise<void> {
    let cursor = this.options.cursor ?? null;
    try {
      for (;;) {
        cursor ??= await this.backfill();
        cursor = await this.follow(cursor);
        if (this.stopped) return;
      }
    } catch (error) {
      if (this.stopped && (error instanceof FollowerStopped || (error as Error).name === 'AbortError')) return;
      throw error;
    }
  }

  /** Stops after the change in hand; `run()` then resolves. */
  stop(): void {
    this.stopped = true;
    this.abort.abort();
  }

  /** Reads users, groups and members; returns the feed cursor to follow from. */
  private async backfill(): Promise<string> {
    const tenant = encodeURIComponent(this.options.tenant);
    let eventsCursor: string | undefined;
    for await (const page of this.pages<DirectoryUser>(`/directory/users?tenant=${tenant}`)) {
      eventsCursor ??= page.eventsCursor;
      for (const user of page.data) {
        this.remember('user', user.id, user.sequence);
        await this.hand({ kind: 'user', user }, null);
      }
    }
    for await (const page of this.pages<DirectoryGroup>(`/directory/groups?tenant=${tenant}`)) {
      for (const group of page.data) {
        this.remember('group', group.id, group.sequence);
        await this.hand({ kind: 'group', group }, null);
        for await (const members of this.pages<DirectoryUser>(`/directory/groups/${group.id}/members?`)) {
          for (const user of members.data) await this.hand({ kind: 'member', groupId: group.id, user }, null);
        }
      }
    }
    await this.hand({ kind: 'backfilled' }, eventsCursor!);
    return eventsCursor!;
  }

  /** Follows the feed; returns null when the cursor expired (the caller reads the directory again). */
  private async follow(from: string): Promise<string | null> {
    let cursor = from;
    const types = this.options.types ? `&types=${encodeURIComponent(this.options.types.join(','))}` : '';
    const wait = Math.min(Math.max(this.options.waitSeconds ?? 25, 0), 30);
    while (!this.stopped) {
      const path = `/events?tenant=${encodeURIComponent(this.options.tenant)}&limit=${FEED_PAGE}&wait=${wait}${types}&after=${encodeURIComponent(cursor)}`;
      const page = await this.get<{ data: IdentityEvent[]; nextCursor: string; hasMore: boolean }>(path);
      if (page === 'expired') {
        this.sequences.clear();
        await this.hand({ kind: 'resync', reason: 'the saved cursor is older than the feed keeps' }, null);
        return null;
      }
      let saved = false;
      for (const [index, event] of page.data.entries()) {
        if (await this.isStale(event)) continue;
        // Within a page, the cursor to save is the page's start until its last event is handled.
        const last = index === page.data.length - 1;
        await this.hand({ kind: 'event', event }, last ? page.nextCursor : cursor);
        saved = last;
      }
      if (!saved && page.nextCursor !== cursor) await this.hand({ kind: 'checkpoint' }, page.nextCursor);
      cursor = page.nextCursor;
    }
    return cursor;
  }

  /** Whether the event is not above what this run saw of its subject, or else what the consumer's store holds. */
  private async isStale(event: IdentityEvent): Promise<boolean> {
    const { type, id } = event.subject;
    const known = this.sequences.get(`${type}:${id}`) ?? (await this.options.knownSequence?.({ type, id }));
    if (known !== undefined && event.sequence <= known) {
      this.remember(type, id, known);
      return true;
    }
    this.remember(type, id, event.sequence);
    return false;
  }

  private remember(type: string, id: string, sequence: number): void {
    const key = `${type}:${id}`;
    const known = this.sequences.get(key);
    this.sequences.delete(key);
    if (this.sequences.size >= MAX_KNOWN_SUBJECTS) this.sequences.delete(this.sequences.keys().next().value!);
    this.sequences.set(key, Math.max(sequence, known ?? 0));
  }

  private async hand(change: DirectoryChange, cursor: string | null): Promise<void> {
    if (this.stopped) throw new FollowerStopped('stopped');
    await this.options.handle(change, cursor);
  }

  /** Every page of a directory listing. */
  private async *pages<Item>(path: string): AsyncGenerator<DirectoryPage<Item>> {
    let cursor: string | null = null;
    do {
      const separator = path.endsWith('?') ? '' : '&';
      const page: DirectoryPage<Item> | 'expired' = await this.get<DirectoryPage<Item>>(
        `${path}${separator}limit=${PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      if (page === 'expired') throw new Error('the directory answered cursor_expired');
      yield page;
      cursor = page.nextCursor;
    } while (cursor);
  }

  /** GETs a products API path, renewing the token once on a 401 and retrying other failures with backoff. */
  private async get<Body>(path: string): Promise<Body | 'expired'> {
    for (let attempt = 0; ; attempt++) {
      if (this.stopped) throw new FollowerStopped('stopped');
      try {
        let response = await this.request(path, false);
        if (response.status === 401) response = await this.request(path, true);
        if (response.ok) return (await response.json()) as Body;
        const body = (await response.json().catch(() => ({}))) as ApiError;
        if (response.status === 410 && body.error?.code === 'cursor_expired') return 'expired';
        const message = `GET ${path.split('?')[0]} answered ${response.status}: ${body.error?.message ?? ''}`;
        // A refusal (bad request, no access) will not change by asking again.
        if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
          throw new FollowerStopped(message);
        }
        throw new Error(message);
      } catch (error) {
        if (error instanceof FollowerStopped || this.stopped) throw error;
        this.options.onError?.(error as Error);
        await this.pause(Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(attempt, 7)));
      }
    }
  }

  private async request(path: string, renew: boolean): Promise<Response> {
    const token = await this.credentials.token(renew);
    return this.fetch(`${this.baseUrl}${path}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: this.abort.signal,
    });
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.abort.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
