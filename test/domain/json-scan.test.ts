// The pre-scan that runs before JSON.parse: one pass over the bytes counting values (not keys),
// nesting and token lengths, stopping at the first limit broken.
import { describe, expect, it } from 'vitest';
import { scanJson, type JsonScanLimits } from '../../src/domain/json-scan.js';

const scan = (text: string, limits: Partial<JsonScanLimits> = {}) =>
  scanJson(Buffer.from(text), { depth: 64, values: 1000, tokenBytes: 4096, ...limits });

describe('scanJson', () => {
  it('counts scalars, arrays and objects, never keys', () => {
    const body = '{"a":1,"b":[true,null,"x"],"c":{"d":-1.5e3}}'; // 1 object + 1 + array + 3 + object + 1 = 8
    expect(scan(body, { values: 8 })).toBeNull();
    expect(scan(body, { values: 7 })).toBe('values');
    expect(scan('[{"k":1},{"k":2}]', { values: 5 })).toBeNull(); // keys after a comma inside an object too
    expect(scan('[{"k":1},{"k":2}]', { values: 4 })).toBe('values');
  });

  it('honours escapes and brackets inside strings', () => {
    expect(scan(JSON.stringify({ a: `\\"[[[[{{{{` }), { depth: 1, values: 2 })).toBeNull();
    expect(scan('["a\\"b", 1]', { values: 3 })).toBeNull();
  });

  it('limits nesting, tokens, and checks each before the parser sees the body', () => {
    expect(scan('[[[]]]', { depth: 3 })).toBeNull();
    expect(scan('[[[[]]]]', { depth: 3 })).toBe('depth');
    expect(scan(`["${'x'.repeat(10)}"]`, { tokenBytes: 10 })).toBeNull();
    expect(scan(`["${'x'.repeat(11)}"]`, { tokenBytes: 10 })).toBe('token');
    expect(scan(`[${'1'.repeat(11)}]`, { tokenBytes: 10 })).toBe('token');
    expect(scan(`{"${'k'.repeat(11)}":1}`, { tokenBytes: 10 })).toBe('token'); // a key is a string too
  });

  it('takes one step per byte: 8 MB of any shape is scanned in well under a second', () => {
    for (const body of ['['.repeat(8 << 20), `[${'0,'.repeat(4 << 20)}0]`, `"${'\\"'.repeat(4 << 20)}"`]) {
      const started = performance.now();
      scan(body, { depth: 1 << 24, values: 1 << 24, tokenBytes: Infinity });
      expect(performance.now() - started).toBeLessThan(1000);
    }
  });
});
