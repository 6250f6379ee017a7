import { Injectable } from '@nestjs/common';
import { IdentityError } from '../errors/identity-error';
import type { IdentityEvent } from '../events/identity-event';
import { CursorExpiredError } from './cursor-expired.error';
import { encodeFeedCursor } from './feed-cursor';
import { FeedNotifications } from './feed-notifications';
import { FeedQuery } from './feed-query';
import { EventsFeedRepository, FeedRead } from './events-feed.repository';
import { ReaderAccess, ReaderScopes } from './reader-scope';

/** Positions looked at per filtered read at most: a filter matching little costs a bounded scan, then `hasMore`. */
export const FEED_SCAN_WINDOW = 10_000;

/** A page of the events feed. */
export interface FeedPage {
  readonly data: IdentityEvent[];
  /** Where to read next; present also at the end, to wait for more there. */
  readonly nextCursor: string;
  /** Whether more events may be read right away. */
  readonly hasMore: boolean;
}

/** A page and how far behind the head its reader was, for the lag metric. */
export interface FeedPageRead {
  readonly page: FeedPage;
  /** Positions between the cursor the reader came with and the head. */
  readonly behind: number;
}

/**
 * Serves the events feed: stamped events after a cursor, in feed order, filtered
 * by type and tenant, long-polling when there is nothing yet. See FeedStamper for
 * why a cursor once handed out never has an event appear before it.
 */
@Injectable()
export class EventsFeedService {
  constructor(
    private readonly feed: EventsFeedRepository,
    private readonly scopes: ReaderScopes,
    private readonly notifications: FeedNotifications,
  ) {}

  async read(access: ReaderAccess, query: FeedQuery): Promise<FeedPageRead> {
    const scope = await this.scopes.resolve(access, query.tenant);
    const deadline = Date.now() + query.waitSeconds * 1000;
    // Unfiltered, positions are gap-free: a page of `limit` needs exactly that many positions (and one to see more).
    const window = query.types === undefined && scope.tenantIds === undefined ? query.limit + 1 : FEED_SCAN_WINDOW;
    let after = query.after;
    let behind: number | undefined;
    for (;;) {
      const generation = this.notifications.generation;
      const read = await this.feed.read({
        after: after ?? null,
        types: query.types,
        tenantIds: scope.tenantIds,
        limit: query.limit + 1,
        window,
      });
      const page = toPage(read, query.limit, window);
      behind ??= Number(read.head) - Number(read.after);
      const remaining = deadline - Date.now();
      if (page.data.length > 0 || page.hasMore || remaining <= 0) return { page, behind };
      after = read.head;
      if (!(await this.notifications.waitAfter(generation, remaining))) return { page, behind };
    }
  }
}

/** Cuts a read to a page: `limit` events, the cursor after the last one, or after everything looked at. */
export function toPage(read: FeedRead, limit: number, window = FEED_SCAN_WINDOW): FeedPage {
  if (BigInt(read.after) < BigInt(read.prunedThrough)) throw new CursorExpiredError();
  if (BigInt(read.after) > BigInt(read.head)) throw IdentityError.invalid('after is not a cursor of this feed');
  if (read.events.length > limit) {
    const events = read.events.slice(0, limit);
    return {
      data: events.map((row) => row.event),
      nextCursor: encodeFeedCursor(events[limit - 1].position),
      hasMore: true,
    };
  }
  // Everything up to the end of the window was looked at: the next read starts there.
  const windowEnd = BigInt(read.after) + BigInt(window);
  const end = windowEnd < BigInt(read.head) ? windowEnd : BigInt(read.head);
  return {
    data: read.events.map((row) => row.event),
    nextCursor: encodeFeedCursor(end.toString()),
    hasMore: end < BigInt(read.head),
  };
}
