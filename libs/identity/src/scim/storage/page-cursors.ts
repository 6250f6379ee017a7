import { Injectable } from '@nestjs/common';
import type { ListQuery } from '../list/list-query';
import type { PageCursor } from './resource-page';

const MAX_ENTRIES = 10_000;
const TTL_MS = 15 * 60_000;

/**
 * Remembers where each page of a listing in the stable order ended, so that a
 * client paging on (Okta's import: startIndex=1, 201, 401, …) gets its next
 * page by seeking to the row after, not by skipping all rows before it:
 * the last page of a 100,000-user import then costs what the first did.
 * In-memory per process: another replica, or an evicted entry, falls back to
 * OFFSET, which gives the same rows when nothing changed between pages.
 */
@Injectable()
export class PageCursors {
  private readonly entries = new Map<string, { cursor: PageCursor; expires: number }>();

  /** Where the page starting at `query.startIndex` may seek from, if an earlier page ended just before it. */
  find(tenantId: string, resourceType: string, query: ListQuery): PageCursor | undefined {
    // No page ends before the first: most listings (a lookup by userName) need no key built.
    if (query.startIndex <= 1) return undefined;
    const key = this.key(tenantId, resourceType, query, query.startIndex);
    const entry = key === undefined ? undefined : this.entries.get(key);
    if (!entry || entry.expires < Date.now()) return undefined;
    return entry.cursor;
  }

  /** Records where a full page ended, for the request of the page after it. */
  remember(
    tenantId: string,
    resourceType: string,
    query: ListQuery,
    rows: readonly { created_at: Date; id: string }[],
  ): void {
    const last = rows[rows.length - 1];
    if (!last || rows.length < query.count) return;
    const key = this.key(tenantId, resourceType, query, query.startIndex + rows.length);
    if (key === undefined) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { cursor: { createdAt: last.created_at, id: last.id }, expires: Date.now() + TTL_MS });
  }

  /** Only listings in the stable order (no sortBy) can seek. */
  private key(tenantId: string, resourceType: string, query: ListQuery, startIndex: number): string | undefined {
    if (query.sortBy) return undefined;
    return `${tenantId}|${resourceType}|${JSON.stringify(query.filter ?? null)}|${startIndex}`;
  }
}
