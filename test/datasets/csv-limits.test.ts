// The CSV parser's limits: the pixel-value check is linear and accepts exactly the decimal numbers
// the old regex did, a pixel value and a row have length limits, and parsing yields to the loop.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { isDecimalNumber, MAX_NUMBER_CHARS } from '../../src/datasets/csv.js';
import { parseUpload, type UploadFields } from '../../src/datasets/upload.js';

/** The grammar as it was written before (quadratic on long bad input; fine on short strings). */
const REFERENCE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const upload = (file: string, fields: Partial<UploadFields> = {}) =>
  parseUpload({ name: 'x', format: 'csv', ...fields }, new Map([['file', Buffer.from(file)]]), 256 << 20);
const rejection = (p: Promise<unknown>) => p.then(() => expect.fail('accepted'), (e: unknown) => {
  expect(e).toBeInstanceOf(ValidationError);
  return e as ValidationError;
});

describe('isDecimalNumber', () => {
  it('accepts exactly what the reference grammar accepts, on strings of number-like characters', () => {
    const chars = fc.constantFrom(...'0123456789+-.eE x\n٣'.split(''));
    fc.assert(fc.property(fc.array(chars, { maxLength: 24 }).map((a) => a.join('')), (s) => {
      expect(isDecimalNumber(s), JSON.stringify(s)).toBe(REFERENCE.test(s));
    }), { numRuns: 20_000 });
    fc.assert(fc.property(fc.string({ maxLength: 24 }), (s) => {
      expect(isDecimalNumber(s), JSON.stringify(s)).toBe(REFERENCE.test(s));
    }), { numRuns: 5_000 });
  });

  it('accepts every number of the grammar, and what it accepts Number() reads as parseFloat() does', () => {
    const digits = (min: number) => fc.array(fc.constantFrom(...'0123456789'.split('')), { minLength: min, maxLength: 12 }).map((a) => a.join(''));
    const sign = fc.constantFrom('', '+', '-');
    const mantissa = fc.oneof(
      fc.tuple(digits(1), fc.constantFrom('', '.'), digits(0)).map((p) => p.join('')),
      digits(1).map((d) => `.${d}`),
    );
    const exponent = fc.oneof(fc.constant(''), fc.tuple(fc.constantFrom('e', 'E'), sign, digits(1)).map((p) => p.join('')));
    fc.assert(fc.property(sign, mantissa, exponent, (s, m, e) => {
      const text = `${s}${m}${e}`;
      expect(isDecimalNumber(text), text).toBe(true);
      expect(Number(text)).toBe(Number.parseFloat(text));
    }), { numRuns: 10_000 });
    // Whatever it accepts is a number to Number(), never NaN.
    fc.assert(fc.property(fc.string({ maxLength: 16 }), (s) => {
      if (isDecimalNumber(s)) expect(Number.isNaN(Number(s)), s).toBe(false);
    }));
  });

  it('decides the edge cases as the grammar does', () => {
    for (const yes of ['0', '255', '+1', '-0', '1.', '.5', '1.5', '1e3', '1E-3', '1.e+2', '+.5e0', '00012', '1e0009'])
      expect(isDecimalNumber(yes), yes).toBe(true);
    for (const no of ['', '+', '-', '.', '+.', '.e1', 'e1', '1e', '1e+', '1.5.', '1..5', '--1', ' 1', '1 ', '1\n', '0x10', 'Infinity', 'NaN', '1_000', '١', '1e1.5', '1,5'])
      expect(isDecimalNumber(no), JSON.stringify(no)).toBe(false);
  });

  it('takes linear time on a long run of digits that ends badly', () => {
    const started = performance.now();
    for (const s of [`${'1'.repeat(1_000_000)}x`, `${'1'.repeat(500_000)}.${'1'.repeat(500_000)}x`, `1e${'1'.repeat(1_000_000)}x`])
      expect(isDecimalNumber(s)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000); // the regex: hours
  });
});

describe('CSV limits', () => {
  const rows = (n: number, values: number) => Array.from({ length: n }, (_, i) => `${i % 2},${Array.from({ length: values }, (_, k) => (i + k) % 256).join(',')}`);

  it(`refuses a pixel value longer than ${MAX_NUMBER_CHARS} characters, naming the line and column`, async () => {
    const lines = rows(12, 4);
    lines[2] = `1,0,${'7'.repeat(60_000)}x,0,0`;
    const err = await rejection(upload(lines.join('\n')));
    expect(err.field).toBe('file');
    expect(err.reason).toMatch(/^line 3, column 3: pixel value "7{40}" is longer than 64 characters$/);
    // A header cell or a label may be longer: the limit is on pixel values.
    lines[2] = `1,0,0,0,0`;
    const long = 'l'.repeat(100);
    const named = await upload([`label,${long},b,c,d`, ...lines.map((l, i) => l.replace(/^\d+/, i % 2 ? long : 'short'))].join('\n'));
    expect(named.labels).toEqual([long, 'short']);
    // 64 characters is still a number.
    lines[2] = `1,0,${'0'.repeat(63)}1,0,0`;
    expect((await upload(lines.join('\n'))).train.images[9]).toBe(1);
  });

  it('refuses a row of more values than the largest image before reading the rest of it', async () => {
    const wide = `0,${'1,'.repeat(4_000_000)}1`;
    const started = performance.now();
    const err = await rejection(upload(`${wide}\n${wide}`));
    expect(err.field).toBe('file');
    expect(err.reason).toBe('line 1: a row holds more than 1048576 pixel values (images are at most 1024x1024 pixels)');
    // With RGB rows the limit is three times as many values.
    const rgb = await rejection(upload(`0,1\n${wide}`, { inputShape: '[1024, 1024, 3]' }));
    expect(rgb.reason).toBe('line 2: a row holds more than 3145728 pixel values (images are at most 1024x1024 pixels, 3 channels)');
    expect(performance.now() - started).toBeLessThan(20_000); // before: minutes
  }, 60_000);

  it('accepts a row of exactly the largest image', async () => {
    const file = Array.from({ length: 10 }, (_, i) => `${i % 2},${'3,'.repeat(1024 * 1024 - 1)}3`).join('\n');
    const parsed = await upload(file);
    expect(parsed.train).toMatchObject({ count: 10, height: 1024, width: 1024, channels: 1 });
  }, 60_000);

  it('yields to the event loop while it parses a large file', async () => {
    const file = rows(3000, 784).join('\n'); // ~8 MB: before, parsed in a few turns of the loop of ~1 s each
    const gaps: number[] = [];
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      gaps.push(now - last);
      last = now;
    }, 5);
    try {
      const parsed = await upload(file);
      expect(parsed.train.count).toBe(3000);
    } finally {
      clearInterval(timer);
    }
    // Percentiles, not the maximum: on a loaded machine the OS may pause the process at any time.
    gaps.sort((a, b) => a - b);
    expect(gaps.length).toBeGreaterThan(50);
    expect(gaps[Math.floor(gaps.length * 0.95)]).toBeLessThan(100);
  });
});
