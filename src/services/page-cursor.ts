// The opaque `cursor` of every list: base64url of the last item's sort key. Clients only pass back
// what a previous page gave them; anything else is a 400 naming `cursor`.
import { ValidationError } from '../domain/errors.js';
import type { Page, PageRequest, TimeKey } from '../ports/page.js';

/** What every list takes: `?cursor=&limit=`, as the query string gives them (the schema checks their shape). */
export interface PageQuery {
  cursor?: string;
  limit?: string;
}

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 200;

/** A page as the API answers it. */
export interface PageView<T> {
  items: T[];
  nextCursor: string | null;
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function decode(cursor: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch { /* reported below */ }
  throw badCursor();
}

const badCursor = () => new ValidationError('cursor', 'is not a cursor this list gave out: pass back the nextCursor of the previous page');

export function encodeTimeCursor(key: TimeKey): string {
  return encode({ t: key.createdAt.toISOString(), i: key.id });
}

export function decodeTimeCursor(cursor: string): TimeKey {
  const { t, i } = decode(cursor);
  const createdAt = typeof t === 'string' ? new Date(t) : new Date(NaN);
  if (Number.isNaN(createdAt.getTime()) || typeof i !== 'string' || i.length === 0 || i.length > 128) throw badCursor();
  return { createdAt, id: i };
}

export function encodeNumberCursor(n: number): string {
  return encode({ n });
}

export function decodeNumberCursor(cursor: string): number {
  const { n } = decode(cursor);
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw badCursor();
  return n;
}

/** The store's page request for a query: decoded cursor (null on the first page) and limit. */
export function pageRequest<K>(query: PageQuery, decodeKey: (cursor: string) => K): PageRequest<K> {
  const limit = query.limit === undefined ? DEFAULT_PAGE_LIMIT : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) throw new ValidationError('limit', `must be an integer from 1 to ${MAX_PAGE_LIMIT}`);
  return { after: query.cursor === undefined ? null : decodeKey(query.cursor), limit };
}

/** The API's page: the store's items as views, and the next key as a cursor. */
export function pageView<T, K, V>(page: Page<T, K>, view: (item: T) => V, encodeKey: (key: K) => string): PageView<V> {
  return { items: page.items.map(view), nextCursor: page.next === null ? null : encodeKey(page.next) };
}
