import { describe, expect, it } from 'vitest';
import type { FloatHp } from '../../../src/domain/hyperparameters.js';
import { floatType } from '../../../src/domain/hyperparameters/float.js';
import { checkDiscrete, rejection, UNITS } from './type-laws.js';

const float = (fields: Partial<FloatHp>): FloatHp => ({ name: 'f', type: 'float', min: 0, max: 1, ...fields });

describe('float', () => {
  it('is continuous without a step: u maps linearly and back', () => {
    const hp = float({ min: 2, max: 6 });
    expect(floatType.count(hp)).toBeNull();
    expect(floatType.cells(hp)).toBeNull();
    expect(floatType.indexOf(hp, 3)).toBe(-1);
    for (const u of UNITS) {
      const v = floatType.fromUnit(hp, u) as number;
      expect(v).toBeCloseTo(2 + 4 * u, 12);
      expect(floatType.toUnit(hp, v)).toBeCloseTo(u, 12);
    }
  });

  it('samples uniformly in log space with log sampling', () => {
    const hp = float({ min: 1e-4, max: 1e-1, sampling: 'log' });
    expect(floatType.fromUnit(hp, 0)).toBeCloseTo(1e-4, 10);
    expect(floatType.fromUnit(hp, 1 / 3)).toBeCloseTo(1e-3, 8);
    expect(floatType.toUnit(hp, 1e-2)).toBeCloseTo(2 / 3, 8);
    for (const u of UNITS) expect(floatType.toUnit(hp, floatType.fromUnit(hp, u))).toBeCloseTo(u, 9);
  });

  it('is discrete with a step, its values free of rounding noise', () => {
    checkDiscrete(floatType, float({ min: 0.1, max: 0.5, step: 0.1 }), [0.1, 0.2, 0.3, 0.4, 0.5]);
    checkDiscrete(floatType, float({ min: 0, max: 1, step: 0.3 }), [0, 0.3, 0.6, 0.9]);
  });

  it('takes the nearest step value with log sampling and a step', () => {
    const hp = float({ min: 0.1, max: 0.9, step: 0.1, sampling: 'log' });
    expect(floatType.count(hp)).toBe(9);
    expect(floatType.cells(hp)).toBeNull();
    expect(floatType.fromUnit(hp, 0)).toBe(0.1);
    expect(floatType.fromUnit(hp, 0.5)).toBe(0.3); // sqrt(0.1 * 0.9) = 0.3
    for (const u of UNITS) expect(floatType.indexOf(hp, floatType.fromUnit(hp, u))).toBeGreaterThanOrEqual(0);
  });

  it('accepts a value in range (continuous) or on the grid (stepped)', () => {
    const hp = float({ min: 0, max: 1 });
    expect(floatType.rejects(hp, 0.37)).toBeNull();
    expect(floatType.rejects(hp, 1.5)).toBe('is out of range');
    expect(floatType.rejects(hp, 'x')).toBe('is out of range');
    expect(floatType.rejects(float({ step: 0.5 }), 0.25)).toBe('0.25 is not one of the allowed values');
  });

  it('names the field and the reason of a bad definition', () => {
    const check = (fields: Partial<FloatHp>) => rejection(() => floatType.validate(float(fields), 'hp'));
    expect(() => floatType.validate(float({ min: 0.5, max: 1e300 }), 'hp')).not.toThrow();
    expect(check({ max: Infinity })).toBe('hp.max: must be a finite number');
    expect(check({ min: -Number.MAX_VALUE, max: Number.MAX_VALUE })).toBe('hp.max: max - min must be a finite number');
    expect(check({ min: 0, sampling: 'log' })).toBe('hp.min: must be > 0 with log sampling');
    expect(check({ step: -0.1 })).toBe('hp.step: must be > 0');
    expect(check({ step: 1e-6 })).toBe('hp.step: the range holds 1000001 values, more than 100000: narrow it or take a larger step');
  });
});
