// One of a list of values, all of one type (Keras Tuner's Choice).
import { ValidationError } from '../errors.js';
import type { ChoiceHp } from './definitions.js';
import { listedType } from './listed-type.js';

export const MAX_CHOICE_VALUES = 1000;

export const choiceType = listedType<ChoiceHp>((hp) => hp.values, (hp, at) => {
  if (hp.values.length === 0) throw new ValidationError(`${at}.values`, 'must not be empty');
  if (hp.values.length > MAX_CHOICE_VALUES) throw new ValidationError(`${at}.values`, `must have at most ${MAX_CHOICE_VALUES} values`);
  const kind = typeof hp.values[0];
  hp.values.forEach((v, j) => {
    if (typeof v !== kind) throw new ValidationError(`${at}.values[${j}]`, 'all values must have the same type');
    if (typeof v === 'number' && !Number.isFinite(v)) throw new ValidationError(`${at}.values[${j}]`, 'must be a finite number');
  });
  if (new Set(hp.values).size !== hp.values.length) throw new ValidationError(`${at}.values`, 'must not repeat a value');
});
