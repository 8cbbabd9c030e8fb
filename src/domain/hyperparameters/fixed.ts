// A single value (Keras Tuner's Fixed): part of every combination, never searched.
import { ValidationError } from '../errors.js';
import type { FixedHp } from './definitions.js';
import { listedType } from './listed-type.js';

export const fixedType = listedType<FixedHp>((hp) => [hp.value], (hp, at) => {
  if (typeof hp.value === 'number' && !Number.isFinite(hp.value)) throw new ValidationError(`${at}.value`, 'must be a finite number');
});
