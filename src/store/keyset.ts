// Keyset pagination in Prisma queries: rows strictly after the previous page's last key in the
// list's order, and one row more than the page so the answer knows whether another page follows.
import type { Page, PageRequest, TimeKey } from '../ports/page.js';

export type Direction = 'asc' | 'desc';

/** orderBy for a list sorted by creation time, then id (ties: rows created in the same millisecond). */
export const byTime = (dir: Direction) => [{ createdAt: dir }, { id: dir }];

/** The where clause of the rows after `key` in byTime(dir); {} for the first page. */
export function afterTime(key: TimeKey | null, dir: Direction) {
  if (!key) return {};
  const beyond = dir === 'asc' ? 'gt' : 'lt';
  return { OR: [{ createdAt: { [beyond]: key.createdAt } }, { createdAt: key.createdAt, id: { [beyond]: key.id } }] };
}

/** `take` for a page: one row more than asked for (see toPage). */
export const takeFor = (page: PageRequest<unknown>) => page.limit + 1;

/** Cuts `limit + 1` rows to a page: the extra row only tells that another page exists. */
export function toPage<T, K>(rows: T[], limit: number, keyOf: (item: T) => K): Page<T, K> {
  const items = rows.slice(0, limit);
  return { items, next: rows.length > limit ? keyOf(items[items.length - 1]) : null };
}

export const timeKey = (row: { createdAt: Date; id: string }): TimeKey => ({ createdAt: row.createdAt, id: row.id });
