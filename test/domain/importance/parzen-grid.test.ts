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

  // Expected values from a numpy/scipy transcription of Optuna's Scott Parzen estimator
  // (importance/_ped_anova/scott_parzen_estimator.py) on the same counts; end to end, the same
  // transcription and this module give Optuna 5.0.0's own importances (ped-anova.test.ts).
  it("matches Optuna's estimator: numeric (Scott's bandwidth, discrete truncated normals) and categorical", () => {
    const numeric = numericPmf([0, 3, 0, 0, 5, 1, 0, 0, 0, 2]);
    const optunaNumeric = [0.075715391, 0.102129156, 0.122488669, 0.135125058, 0.134693725, 0.117337702, 0.092368529, 0.076139974, 0.072918144, 0.071083652];
    numeric.forEach((p, k) => expect(Math.abs(p - optunaNumeric[k]) / optunaNumeric[k]).toBeLessThan(1e-5));
    const categorical = categoricalPmf([4, 0, 1, 0]);
    [0.446428571429, 0.160714285714, 0.232142857143, 0.160714285714].forEach((p, k) => expect(categorical[k]).toBeCloseTo(p, 12));
  });

  it('numeric: neighbouring cells share a kernel, unordered categories do not', () => {
    const num = numericPmf([0, 0, 0, 10, 0, 0, 0, 0, 0, 0]);
    expect(num[2]).toBeGreaterThan(num[7]);
    const cat = categoricalPmf([0, 0, 0, 10, 0, 0, 0, 0, 0, 0]);
    expect(cat[2]).toBeCloseTo(cat[7], 12);
  });
});
