import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { cardinality, discreteValues, fromUnit, spaceCardinality, toUnit, validateSpace, validateValues, type Hyperparameter } from '../../src/domain/hyperparameters.js';
import { referenceSearch } from '../fixtures/reference-search.js';

const fieldOf = (fn: () => void): string => {
  try { fn(); } catch (e) { if (e instanceof ValidationError) return e.field; throw e; }
  throw new Error('no error');
};

describe('hyperparameters', () => {
  it('enumerates int steps like Keras Tuner (32..128 step 16 has 7 values)', () => {
    expect(discreteValues({ name: 'a', type: 'int', min: 32, max: 128, step: 16 })).toEqual([32, 48, 64, 80, 96, 112, 128]);
    expect(spaceCardinality(referenceSearch().hyperparameters)).toBe(7 * 2 * 3 * 2 * 7 * 2);
  });

  it('keeps float steps free of rounding noise', () => {
    expect(discreteValues({ name: 'a', type: 'float', min: 0.1, max: 0.5, step: 0.1 })).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(cardinality({ name: 'a', type: 'float', min: 0, max: 1 })).toBe(Infinity);
  });

  it('round-trips every discrete value through the unit interval', () => {
    const hps: Hyperparameter[] = [
      { name: 'i', type: 'int', min: 1, max: 9, step: 2 },
      { name: 'c', type: 'choice', values: ['a', 'b', 'c'] },
      { name: 'b', type: 'boolean' },
      { name: 'f', type: 'fixed', value: 7 },
    ];
    for (const hp of hps) for (const v of discreteValues(hp)!) expect(fromUnit(hp, toUnit(hp, v))).toBe(v);
  });

  it('samples log-scaled floats uniformly in log space', () => {
    const hp: Hyperparameter = { name: 'lr', type: 'float', min: 1e-4, max: 1e-1, sampling: 'log' };
    expect(fromUnit(hp, 0)).toBeCloseTo(1e-4, 10);
    expect(fromUnit(hp, 1 / 3)).toBeCloseTo(1e-3, 8);
    expect(toUnit(hp, 1e-2)).toBeCloseTo(2 / 3, 8);
  });

  it('names the field and the reason of a bad definition', () => {
    expect(fieldOf(() => validateSpace([{ name: 'a', type: 'int', min: 5, max: 1 }]))).toBe('hyperparameters[0].max');
    expect(fieldOf(() => validateSpace([{ name: 'a', type: 'int', min: 1.5, max: 3 }]))).toBe('hyperparameters[0].min');
    expect(fieldOf(() => validateSpace([{ name: 'a', type: 'float', min: 0, max: 1, sampling: 'log' }]))).toBe('hyperparameters[0].min');
    expect(fieldOf(() => validateSpace([{ name: 'a', type: 'choice', values: [] }]))).toBe('hyperparameters[0].values');
    expect(fieldOf(() => validateSpace([{ name: 'a', type: 'choice', values: [1, 'x'] }]))).toBe('hyperparameters[0].values[1]');
    expect(fieldOf(() => validateSpace([{ name: 'a', type: 'boolean' }, { name: 'a', type: 'boolean' }]))).toBe('hyperparameters[1].name');
    expect(fieldOf(() => validateSpace([{ name: '../etc', type: 'boolean' }]))).toBe('hyperparameters[0].name');
    expect(fieldOf(() => validateSpace([{ name: 'a', type: 'float', min: 0, max: Infinity }]))).toBe('hyperparameters[0].max');
    expect(fieldOf(() => validateSpace([]))).toBe('hyperparameters');
  });

  it('checks a full set of values against the space', () => {
    const space = referenceSearch().hyperparameters;
    const ok = { conv_1_filter: 64, conv_1_kernel: 3, conv_2_filter: 48, conv_2_kernel: 3, dense_1_units: 48, learning_rate: 0.001 };
    expect(() => validateValues(space, ok)).not.toThrow();
    expect(fieldOf(() => validateValues(space, { ...ok, conv_1_filter: 65 }))).toBe('hyperparameters.conv_1_filter');
    expect(fieldOf(() => validateValues(space, { ...ok, extra: 1 }))).toBe('hyperparameters.extra');
  });
});
