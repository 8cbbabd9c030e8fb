// What every hyperparameter type provides. As in Keras Tuner (keras_tuner/engine/hyperparameters),
// each type maps its values to and from the unit interval, so every search algorithm handles every
// type through fromUnit/toUnit and never by type. A range's values are computed one at a time
// (at, indexOf), never listed, on every hot path: listing 100 int ranges of 100,000 values per
// suggestion took minutes for one grid step.
import type { HpValue } from './definitions.js';

export interface HpType<H> {
  /** Checks the definition's own fields (its name and condition are the space's); `at` is its path. */
  validate(hp: H, at: string): void;
  /** How many values it takes; null when it is continuous. */
  count(hp: H): number | null;
  /** The k-th value (0 <= k < count). */
  at(hp: H, k: number): HpValue;
  /** Where a value sits among the values; -1 when it is not one of them. */
  indexOf(hp: H, value: HpValue): number;
  /**
   * How many equal cells the unit interval has, value k owning cell k; null when the mapping is
   * continuous instead (a continuous float, log sampling), discrete values being then the nearest.
   */
  cells(hp: H): number | null;
  /** Maps u in [0, 1) to a value. */
  fromUnit(hp: H, u: number): HpValue;
  /** The inverse of fromUnit: a discrete value's cell centre, so fromUnit(toUnit(v)) === v. */
  toUnit(hp: H, value: HpValue): number;
  /** Why a value is not one the hyperparameter takes, or null when it is. */
  rejects(hp: H, value: HpValue): string | null;
}

/** Value k of n cells holds u. */
export const cellOf = (n: number, u: number): number => Math.min(n - 1, Math.floor(u * n));

/** The centre of value k's cell; a value that is not one (k = -1) maps to the first. */
export const cellCentre = (n: number, k: number): number => (Math.max(0, k) + 0.5) / n;

/** The rejection of a value that is not one of a discrete hyperparameter's values. */
export const notAllowed = (value: HpValue): string => `${JSON.stringify(value)} is not one of the allowed values`;
