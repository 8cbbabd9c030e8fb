import { describe, expect, it } from 'vitest';
import { categoricalPmf, normalCdf, numericPmf } from '../../../src/domain/importance/parzen-grid.js';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('normalCdf', () => {
  it('matches known values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959963985)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.158655254, 6);
    expect(normalCdf(-40)).toBeGreaterThanOrEqual(0);
  });
});

describe('Parzen estimators over cells', () => {
  for (const [name, pmf] of [['numeric', numericPmf], ['categorical', categoricalPmf]] as const) {
    it(`${name}: a probability for every cell, most where the trials were, none zero`, () => {
      const p = pmf([0, 0, 8, 1, 0, 0]);
      expect(sum(p)).toBeCloseTo(1, 9);
      expect(p.every((x) => x > 0)).toBe(true);
      expect(p.indexOf(Math.max(...p))).toBe(2);
    });

    it(`${name}: the prior alone (no trials) is flat or centred`, () => {
      const p = pmf([0, 0, 0, 0, 0]);
      expect(sum(p)).toBeCloseTo(1, 9);
      expect(p[0]).toBeCloseTo(p[4], 12);
      expect(p[2]).toBeGreaterThanOrEqual(p[0]);
    });
  }

  it('numeric: neighbouring cells share a kernel, unordered categories do not', () => {
    const num = numericPmf([0, 0, 0, 10, 0, 0, 0, 0, 0, 0]);
    expect(num[2]).toBeGreaterThan(num[7]);
    const cat = categoricalPmf([0, 0, 0, 10, 0, 0, 0, 0, 0, 0]);
    expect(cat[2]).toBeCloseTo(cat[7], 12);
  });
});
