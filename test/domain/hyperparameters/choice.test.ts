import { describe, expect, it } from 'vitest';
import type { ChoiceHp, HpValue } from '../../../src/domain/hyperparameters.js';
import { choiceType } from '../../../src/domain/hyperparameters/choice.js';
import { checkDiscrete, rejection } from './type-laws.js';

const choice = (values: HpValue[]): ChoiceHp => ({ name: 'c', type: 'choice', values });

describe('choice', () => {
  it('takes its values in order, one unit cell each', () => {
    checkDiscrete(choiceType, choice(['relu', 'tanh', 'elu']), ['relu', 'tanh', 'elu']);
    checkDiscrete(choiceType, choice([0.5, 0.1]), [0.5, 0.1]);
    checkDiscrete(choiceType, choice([true]), [true]);
    expect([0, 0.33, 0.34, 0.67, 0.99].map((u) => choiceType.fromUnit(choice(['a', 'b', 'c']), u))).toEqual(['a', 'a', 'b', 'c', 'c']);
  });

  it('accepts only its values, of their type', () => {
    const hp = choice([1, 2]);
    expect(choiceType.rejects(hp, 3)).toBe('3 is not one of the allowed values');
    expect(choiceType.rejects(hp, '1')).toBe('"1" is not one of the allowed values');
  });

  it('names the field and the reason of a bad definition', () => {
    const check = (values: HpValue[]) => rejection(() => choiceType.validate(choice(values), 'hp'));
    expect(() => choiceType.validate(choice(['a']), 'hp')).not.toThrow();
    expect(check([])).toBe('hp.values: must not be empty');
    expect(check(Array.from({ length: 1001 }, (_, i) => i))).toBe('hp.values: must have at most 1000 values');
    expect(check([1, 'x'])).toBe('hp.values[1]: all values must have the same type');
    expect(check([1, NaN])).toBe('hp.values[1]: must be a finite number');
    expect(check(['a', 'b', 'a'])).toBe('hp.values: must not repeat a value');
  });
});
