// Ranges are computed value by value, never listed (a 100,000-value int range made one grid step
// take minutes); these properties pin the computed forms to the listed ones on small ranges.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { discreteAt, discreteCount, discreteIndex, discreteValues, fromUnit, toUnit, type Hyperparameter } from '../../src/domain/hyperparameters.js';

const range: fc.Arbitrary<Hyperparameter> = fc.oneof(
  fc.record({ min: fc.integer({ min: -50, max: 50 }), span: fc.nat(300), step: fc.option(fc.integer({ min: 1, max: 7 }), { nil: undefined }), log: fc.boolean() })
    .map(({ min, span, step, log }) => (log
      ? { name: 'i', type: 'int' as const, min: Math.abs(min) + 1, max: Math.abs(min) + 1 + span, step, sampling: 'log' as const }
      : { name: 'i', type: 'int' as const, min, max: min + span, step })),
  fc.record({ min: fc.double({ min: 1e-3, max: 10, noNaN: true }), span: fc.double({ min: 0, max: 10, noNaN: true }), step: fc.constantFrom(0.1, 0.25, 0.001, 1), log: fc.boolean() })
    .map(({ min, span, step, log }) => ({ name: 'f', type: 'float' as const, min, max: min + span, step, ...(log ? { sampling: 'log' as const } : {}) })),
);

/** The nearest listed value, lower one on a tie: what fromUnit did when it scanned the list. */
const naiveNearest = (values: number[], x: number) => values.reduce((best, v) => (Math.abs(v - x) < Math.abs(best - x) ? v : best), values[0]);

describe('computed ranges', () => {
  it('agree with the listed values: count, k-th value, index, unit mapping', () => {
    fc.assert(fc.property(range, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (hp, u) => {
      const values = discreteValues(hp) as number[];
      expect(discreteCount(hp)).toBe(values.length);
      values.forEach((v, k) => {
        expect(discreteAt(hp, k)).toBe(v);
        expect(discreteIndex(hp, v)).toBe(values.indexOf(v));
      });
      expect(discreteIndex(hp, values[values.length - 1] + 1e-7)).toBe(-1);
      const got = fromUnit(hp, u);
      const log = 'sampling' in hp && hp.sampling === 'log';
      if (!log) expect(got).toBe(values[Math.min(values.length - 1, Math.floor(u * values.length))]);
      else if (hp.type === 'int' || hp.type === 'float') expect(got).toBe(naiveNearest(values, Math.exp(Math.log(hp.min) + u * (Math.log(hp.max) - Math.log(hp.min)))));
      if (!log) expect(fromUnit(hp, toUnit(hp, got))).toBe(got);
    }), { numRuns: 300 });
  });
});
