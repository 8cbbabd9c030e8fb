// The lists' opaque cursors: what encode gives out decodes to the same key, anything else is a
// ValidationError naming `cursor`; limit is bounded to 1..200 with a default of 50.
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import {
  decodeNumberCursor, decodeTimeCursor, DEFAULT_PAGE_LIMIT, encodeNumberCursor, encodeTimeCursor, MAX_PAGE_LIMIT, pageRequest, pageView,
} from '../../src/services/page-cursor.js';

const b64 = (s: string) => Buffer.from(s).toString('base64url');
const fieldOf = (fn: () => unknown) => {
  try { fn(); } catch (err) { return err instanceof ValidationError ? err.field : `not a ValidationError: ${String(err)}`; }
  return 'no error';
};

describe('page cursors', () => {
  it('round-trip a time key and a trial number, as URL-safe text', () => {
    const key = { createdAt: new Date('2026-12-04T11:00:00.123Z'), id: 'a-b_c' };
    const cursor = encodeTimeCursor(key);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeTimeCursor(cursor)).toEqual(key);
    expect(decodeNumberCursor(encodeNumberCursor(42))).toBe(42);
  });

  it('refuse what they did not give out, naming cursor', () => {
    const time = encodeTimeCursor({ createdAt: new Date(0), id: 'x' });
    for (const bad of ['', 'garbage', '%%%', b64('null'), b64('[1,2]'), b64('"s"'), b64('{"t":"yesterday","i":"x"}'), b64('{"t":"2026-01-01T00:00:00Z"}'),
      b64(`{"t":"2026-01-01T00:00:00Z","i":"${'x'.repeat(129)}"}`), encodeNumberCursor(3)])
      expect(fieldOf(() => decodeTimeCursor(bad)), bad).toBe('cursor');
    for (const bad of ['garbage', b64('{"n":"3"}'), b64('{"n":1.5}'), b64('{"n":1e300}'), time])
      expect(fieldOf(() => decodeNumberCursor(bad)), bad).toBe('cursor');
  });

  it('bound limit to 1..200, 50 when absent', () => {
    expect(pageRequest({}, decodeNumberCursor)).toEqual({ after: null, limit: DEFAULT_PAGE_LIMIT });
    expect(pageRequest({ limit: '200', cursor: encodeNumberCursor(7) }, decodeNumberCursor)).toEqual({ after: 7, limit: MAX_PAGE_LIMIT });
    for (const limit of ['0', '201', '1.5', 'x', ''])
      expect(fieldOf(() => pageRequest({ limit }, decodeNumberCursor)), limit).toBe('limit');
  });

  it('answer the next key as a cursor, null on the last page', () => {
    expect(pageView({ items: [1, 2], next: 2 }, String, encodeNumberCursor)).toEqual({ items: ['1', '2'], nextCursor: encodeNumberCursor(2) });
    expect(pageView({ items: [], next: null }, String, encodeNumberCursor)).toEqual({ items: [], nextCursor: null });
  });
});
