import { describe, expect, it } from 'vitest';
import type { FixedHp, HpValue } from '../../../src/domain/hyperparameters.js';
import { fixedType } from '../../../src/domain/hyperparameters/fixed.js';
import { checkDiscrete, rejection } from './type-laws.js';

const fixed = (value: HpValue): FixedHp => ({ name: 'x', type: 'fixed', value });

describe('fixed', () => {
  it('takes its one value wherever u falls', () => {
    checkDiscrete(fixedType, fixed(7), [7]);
    checkDiscrete(fixedType, fixed('adam'), ['adam']);
    expect(fixedType.toUnit(fixed(7), 7)).toBe(0.5);
  });

  it('accepts only its value', () => {
    expect(fixedType.rejects(fixed(7), 8)).toBe('8 is not one of the allowed values');
  });

  it('names the field and the reason of a bad definition', () => {
    expect(() => fixedType.validate(fixed(false), 'hp')).not.toThrow();
    expect(rejection(() => fixedType.validate(fixed(Infinity), 'hp'))).toBe('hp.value: must be a finite number');
  });
});
