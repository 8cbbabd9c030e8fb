import { describe, expect, it } from 'vitest';
import type { IntHp } from '../../../src/domain/hyperparameters.js';
import { intType } from '../../../src/domain/hyperparameters/int.js';
import { checkDiscrete, rejection, UNITS } from './type-laws.js';

const int = (fields: Partial<IntHp>): IntHp => ({ name: 'i', type: 'int', min: 1, max: 5, ...fields });

describe('int', () => {
  it('takes min..max by step, like Keras Tuner (32..128 step 16 has 7 values)', () => {
    checkDiscrete(intType, int({}), [1, 2, 3, 4, 5]);
    checkDiscrete(intType, int({ min: 32, max: 128, step: 16 }), [32, 48, 64, 80, 96, 112, 128]);
    checkDiscrete(intType, int({ min: -3, max: 4, step: 3 }), [-3, 0, 3]);
    checkDiscrete(intType, int({ min: 7, max: 7 }), [7]);
  });

  it('splits the unit interval into one equal cell per value', () => {
    const hp = int({ min: 0, max: 3 });
    expect(intType.cells(hp)).toBe(4);
    expect([0, 0.24, 0.25, 0.5, 0.99].map((u) => intType.fromUnit(hp, u))).toEqual([0, 0, 1, 2, 3]);
    expect(intType.toUnit(hp, 2)).toBe(0.625);
  });

  it('samples uniformly in log space with log sampling, taking the nearest value, and round-trips close', () => {
    const hp = int({ min: 1, max: 1000, sampling: 'log' });
    expect(intType.cells(hp)).toBeNull();
    expect(intType.fromUnit(hp, 0)).toBe(1);
    expect(intType.fromUnit(hp, 1 / 3)).toBe(10);
    expect(intType.fromUnit(hp, 2 / 3)).toBe(100);
    expect(intType.toUnit(hp, 100)).toBeCloseTo(2 / 3, 12);
    for (const u of UNITS) {
      const v = intType.fromUnit(hp, u) as number;
      expect(Number.isInteger(v) && v >= 1 && v <= 1000).toBe(true);
      expect(intType.fromUnit(hp, intType.toUnit(hp, v))).toBe(v);
    }
  });

  it('accepts only its values', () => {
    const hp = int({ min: 0, max: 10, step: 5 });
    expect(intType.rejects(hp, 5)).toBeNull();
    expect(intType.rejects(hp, 4)).toBe('4 is not one of the allowed values');
    expect(intType.rejects(hp, 15)).toBe('15 is not one of the allowed values');
    expect(intType.rejects(hp, '5')).toBe('"5" is not one of the allowed values');
    expect(intType.indexOf(hp, 5.0000001)).toBe(-1);
  });

  it('names the field and the reason of a bad definition', () => {
    const check = (fields: Partial<IntHp>) => rejection(() => intType.validate(int(fields), 'hp'));
    expect(() => intType.validate(int({}), 'hp')).not.toThrow();
    expect(check({ min: 1.5 })).toBe('hp.min: must be an integer (at most 2^53 in magnitude) for an int hyperparameter');
    expect(check({ max: 2 ** 60 })).toBe('hp.max: must be an integer (at most 2^53 in magnitude) for an int hyperparameter');
    expect(check({ max: Infinity })).toBe('hp.max: must be a finite number');
    expect(check({ min: 5, max: 1 })).toBe('hp.max: must be >= min (5)');
    expect(check({ step: 0 })).toBe('hp.step: must be > 0');
    expect(check({ min: 0, sampling: 'log' })).toBe('hp.min: must be > 0 with log sampling');
    expect(check({ min: 0, max: 100_000 })).toBe('hp.max: the range holds 100001 values, more than 100000: narrow it or take a larger step');
    expect(check({ min: 0, max: 200_000, step: 1 })).toBe('hp.step: the range holds 200001 values, more than 100000: narrow it or take a larger step');
    expect(() => intType.validate(int({ min: 0, max: 99_999 }), 'hp')).not.toThrow();
  });
});
