// What every hyperparameter type must satisfy, checked the same way for each type's tests.
import { expect } from 'vitest';
import { ValidationError } from '../../../src/domain/errors.js';
import type { HpValue } from '../../../src/domain/hyperparameters.js';
import type { HpType } from '../../../src/domain/hyperparameters/hp-type.js';

/** Unit-interval points spread over [0, 1), both ends included. */
export const UNITS = [0, 1e-9, 0.1, 0.25, 0.333, 0.5, 0.5 + 1e-12, 0.75, 0.9, 0.999999, 1 - 1e-12];

/**
 * A discrete type's laws: count and value-at-index agree with indexOf, every value is accepted
 * and round-trips through the unit interval, and every u maps to one of the values.
 */
export function checkDiscrete<H>(type: HpType<H>, hp: H, expected: HpValue[]): void {
  const n = type.count(hp);
  expect(n).toBe(expected.length);
  const values = Array.from({ length: n! }, (_, k) => type.at(hp, k));
  expect(values).toEqual(expected);
  values.forEach((v, k) => {
    expect(type.indexOf(hp, v)).toBe(k);
    expect(type.rejects(hp, v)).toBeNull();
    const u = type.toUnit(hp, v);
    expect(u).toBeGreaterThanOrEqual(0);
    expect(u).toBeLessThan(1);
    expect(type.fromUnit(hp, u)).toBe(v);
  });
  for (const u of UNITS) expect(values).toContain(type.fromUnit(hp, u));
}

/** The `field: reason` of the ValidationError that fn throws. */
export function rejection(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e.message;
    throw e;
  }
  throw new Error('no error');
}
