import type { IdentityEvent } from '../events/identity-event';
import { CursorExpiredError } from './cursor-expired.error';
import { decodeFeedCursor } from './feed-cursor';
import { FEED_SCAN_WINDOW, toPage } from './events-feed.service';
import { FeedRead } from './events-feed.repository';

const event = (position: number) => ({ position: String(position), event: { id: `e${position}` } as IdentityEvent });
const read = (after: number, head: number, positions: number[], prunedThrough = 0): FeedRead => ({
  after: String(after),
  head: String(head),
  prunedThrough: String(prunedThrough),
  events: positions.map(event),
});

describe('cutting a feed read into a page', () => {
  it('returns `limit` events and the cursor after the last when more were read', () => {
    const page = toPage(read(10, 20, [11, 12, 13]), 2);
    expect(page.data.map((e) => e.id)).toEqual(['e11', 'e12']);
    expect(decodeFeedCursor(page.nextCursor)).toBe('12');
    expect(page.hasMore).toBe(true);
  });

  it('moves the cursor to the head when the read reached it, also past filtered-out positions', () => {
    const page = toPage(read(10, 20, [12]), 5);
    expect(page.data.map((e) => e.id)).toEqual(['e12']);
    expect(decodeFeedCursor(page.nextCursor)).toBe('20');
    expect(page.hasMore).toBe(false);
  });

  it('stops at the end of the scan window with more to read', () => {
    const page = toPage(read(0, FEED_SCAN_WINDOW + 5, []), 5);
    expect(page).toMatchObject({ data: [], hasMore: true });
    expect(decodeFeedCursor(page.nextCursor)).toBe(String(FEED_SCAN_WINDOW));
  });

  it('stops at the end of a narrow window too, which an unfiltered read uses', () => {
    const page = toPage(read(10, 100, [11, 12, 13]), 3, 4);
    expect(page).toMatchObject({ hasMore: true });
    expect(decodeFeedCursor(page.nextCursor)).toBe('14');
  });

  it('hands back the same cursor at the head when nothing is new', () => {
    const page = toPage(read(20, 20, []), 5);
    expect(page).toMatchObject({ data: [], hasMore: false });
    expect(decodeFeedCursor(page.nextCursor)).toBe('20');
  });

  it('refuses a cursor older than the retention horizon, and one beyond the head', () => {
    expect(() => toPage(read(3, 20, [], 5), 5)).toThrow(CursorExpiredError);
    expect(() => toPage(read(21, 20, []), 5)).toThrow('after is not a cursor of this feed');
  });
});
