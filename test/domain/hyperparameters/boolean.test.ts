import { describe, expect, it } from 'vitest';
import type { BooleanHp } from '../../../src/domain/hyperparameters.js';
import { booleanType } from '../../../src/domain/hyperparameters/boolean.js';
import { checkDiscrete } from './type-laws.js';

const hp: BooleanHp = { name: 'b', type: 'boolean' };

describe('boolean', () => {
  it('takes false then true, the lower half of the unit interval being false', () => {
    checkDiscrete(booleanType, hp, [false, true]);
    expect(booleanType.fromUnit(hp, 0.49)).toBe(false);
    expect(booleanType.fromUnit(hp, 0.5)).toBe(true);
  });

  it('accepts only a boolean and has nothing to validate', () => {
    expect(booleanType.rejects(hp, 1)).toBe('1 is not one of the allowed values');
    expect(booleanType.rejects(hp, 'true')).toBe('"true" is not one of the allowed values');
    expect(() => booleanType.validate(hp, 'hp')).not.toThrow();
  });
});
