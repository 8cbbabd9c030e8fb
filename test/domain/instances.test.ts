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
    expect(() => instancesToBatch([img(Infinity)], [28, 28, 1], 255, 1)).toThrow(/instances\[0\]\[0\]\[0\]: must be a number/);
    expect(() => instancesToBatch([img('3')], [28, 28, 1], 255, 1)).toThrow(/got "3"/);
    expect(() => instancesToBatch([img(-1)], [28, 28, 1], 255, 1)).toThrow(/from 0 to 255, got -1/);
  });

  it('checks channels, naming the channel', () => {
    const rgb = (v: unknown) => Array.from({ length: 4 }, () => Array.from({ length: 4 }, () => [1, 2, v]));
    expect(instancesToBatch([rgb(3)], [4, 4, 3], 3, 1)[2]).toBe(1);
    const bad = rgb(3);
    bad[2][1] = [1, 2, 9];
    expect(() => instancesToBatch([bad], [4, 4, 3], 3, 1)).toThrow(/instances\[0\]\[2\]\[1\]\[2\]: must be a number from 0 to 3, got 9/);
    expect(() => instancesToBatch([rgb(3).map((r) => r.map(() => 1))], [4, 4, 3], 3, 1)).toThrow(/instances\[0\]\[0\]\[0\]: must be an array of 3 channels/);
    expect(() => instancesToBatch([rgb(3).map((r) => r.map(() => [1, 2]))], [4, 4, 3], 3, 1)).toThrow(/must have 3 channel/);
  });
});
