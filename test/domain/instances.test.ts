import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { instancesToBatch } from '../../src/domain/instances.js';

const img = (v: number | unknown = 255) => Array.from({ length: 28 }, () => Array.from({ length: 28 }, () => v));

describe('prediction instances', () => {
  it('accepts 28x28 and 28x28x1 and normalizes like training', () => {
    const batch = instancesToBatch([img(255), img(0).map((r) => r.map((v) => [v]))], [28, 28, 1], 255, 10);
    expect(batch.length).toBe(2 * 784);
    expect(batch[0]).toBe(1);
    expect(batch[784]).toBe(0);
  });

  it('names the offending element', () => {
    const bad = img(10);
    bad[3][5] = Number.NaN;
    expect(() => instancesToBatch([img(), bad], [28, 28, 1], 255, 10)).toThrow(/instances\[1\]\[3\]\[5\]/);
    expect(() => instancesToBatch([img().slice(1)], [28, 28, 1], 255, 10)).toThrow(ValidationError);
    expect(() => instancesToBatch([img(256)], [28, 28, 1], 255, 10)).toThrow(/from 0 to 255/);
    expect(() => instancesToBatch([img(), img()], [28, 28, 1], 255, 1)).toThrow(/at most 1/);
    expect(() => instancesToBatch([], [28, 28, 1], 255, 1)).toThrow(/non-empty/);
  });
});
