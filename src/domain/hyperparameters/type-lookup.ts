// From a definition to its type object: the one place that dispatches on `type`. The functions
// below are what the rest of the code calls, whatever the type.
import { booleanType } from './boolean.js';
import { choiceType } from './choice.js';
import type { HpValue, Hyperparameter } from './definitions.js';
import { fixedType } from './fixed.js';
import { floatType } from './float.js';
import type { HpType } from './hp-type.js';
import { intType } from './int.js';

/** Each definition by its `type`. */
type ByType = { [H in Hyperparameter as H['type']]: H };

const TYPES: { [T in keyof ByType]: HpType<ByType[T]> } = {
  int: intType, float: floatType, choice: choiceType, boolean: booleanType, fixed: fixedType,
};

/** The type object of a definition. */
export const typeOf = <T extends keyof ByType>(hp: ByType[T] & { type: T }): HpType<ByType[T]> => TYPES[hp.type];

/** How many values a discrete hyperparameter takes; null when it is continuous. */
export const discreteCount = (hp: Hyperparameter): number | null => typeOf(hp).count(hp);

/** The k-th value of a discrete hyperparameter (0 <= k < discreteCount). */
export const discreteAt = (hp: Hyperparameter, k: number): HpValue => typeOf(hp).at(hp, k);

/** Where a value sits among a discrete hyperparameter's values; -1 when it is not one of them. */
export const discreteIndex = (hp: Hyperparameter, value: HpValue): number => typeOf(hp).indexOf(hp, value);

/** The discrete values of a hyperparameter, or null when it is continuous. */
export function discreteValues(hp: Hyperparameter): HpValue[] | null {
  const n = discreteCount(hp);
  return n === null ? null : Array.from({ length: n }, (_, k) => discreteAt(hp, k));
}

/** How many distinct values; Infinity for a continuous float. */
export const cardinality = (hp: Hyperparameter): number => discreteCount(hp) ?? Infinity;

/** Equal cells of the unit interval, one per value; null when the mapping is continuous (see HpType.cells). */
export const unitCells = (hp: Hyperparameter): number | null => typeOf(hp).cells(hp);

/** Maps u in [0, 1) to a value; log sampling is uniform in log space. */
export const fromUnit = (hp: Hyperparameter, u: number): HpValue => typeOf(hp).fromUnit(hp, u);

/** Inverse of fromUnit: the centre of the value's cell, so fromUnit(toUnit(v)) === v. */
export const toUnit = (hp: Hyperparameter, value: HpValue): number => typeOf(hp).toUnit(hp, value);
