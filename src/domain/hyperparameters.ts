// Hyperparameter types. As in Keras Tuner, each maps values to and from the unit interval, so
// every search algorithm handles every type through fromUnit/toUnit and never by type.
import { ValidationError } from './errors.js';

export type HpValue = number | string | boolean;
export type HpValues = Record<string, HpValue>;
export type Sampling = 'linear' | 'log';

export type Hyperparameter =
  | { name: string; type: 'int'; min: number; max: number; step?: number; sampling?: Sampling }
  | { name: string; type: 'float'; min: number; max: number; step?: number; sampling?: Sampling }
  | { name: string; type: 'choice'; values: HpValue[] }
  | { name: string; type: 'boolean' }
  | { name: string; type: 'fixed'; value: HpValue };

export type SearchSpace = Hyperparameter[];

/** Points a grid takes on a float without a step (Keras Tuner needs a step; we give a sane default). */
export const FLOAT_GRID_POINTS = 10;
export const MAX_CHOICE_VALUES = 1000;
/**
 * Values an int (or stepped float) may take. The oracles and the template check enumerate them,
 * so an unbounded range would exhaust memory; past this, log sampling or a step is the answer.
 */
export const MAX_DISCRETE_VALUES = 100_000;
const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

export function validateSpace(space: SearchSpace, path = 'hyperparameters'): void {
  if (space.length === 0) throw new ValidationError(path, 'must define at least one hyperparameter');
  const seen = new Set<string>();
  space.forEach((hp, i) => {
    const at = `${path}[${i}]`;
    if (!NAME.test(hp.name)) throw new ValidationError(`${at}.name`, 'must start with a letter or _ and use only letters, digits, _ . - (64 at most)');
    if (seen.has(hp.name)) throw new ValidationError(`${at}.name`, `duplicate hyperparameter name '${hp.name}'`);
    seen.add(hp.name);
    validateOne(hp, at);
  });
}

function validateOne(hp: Hyperparameter, at: string): void {
  switch (hp.type) {
    case 'int':
    case 'float': {
      for (const key of ['min', 'max', 'step'] as const) {
        const v = hp[key];
        if (v === undefined) continue;
        if (!Number.isFinite(v)) throw new ValidationError(`${at}.${key}`, 'must be a finite number');
        // Beyond 2^53 integers are no longer exact: min + k * step would skip or repeat values.
        if (hp.type === 'int' && !Number.isSafeInteger(v)) throw new ValidationError(`${at}.${key}`, 'must be an integer (at most 2^53 in magnitude) for an int hyperparameter');
      }
      if (hp.min > hp.max) throw new ValidationError(`${at}.max`, `must be >= min (${hp.min})`);
      if (!Number.isFinite(hp.max - hp.min)) throw new ValidationError(`${at}.max`, 'max - min must be a finite number');
      if (hp.step !== undefined && hp.step <= 0) throw new ValidationError(`${at}.step`, 'must be > 0');
      if (hp.sampling === 'log' && hp.min <= 0) throw new ValidationError(`${at}.min`, 'must be > 0 with log sampling');
      const count = hp.type === 'int' || hp.step !== undefined ? (hp.max - hp.min) / (hp.step ?? 1) + 1 : 0;
      if (count > MAX_DISCRETE_VALUES)
        throw new ValidationError(`${at}.${hp.step === undefined ? 'max' : 'step'}`, `the range holds ${Math.floor(count)} values, more than ${MAX_DISCRETE_VALUES}: narrow it or take a larger step`);
      return;
    }
    case 'choice': {
      if (hp.values.length === 0) throw new ValidationError(`${at}.values`, 'must not be empty');
      if (hp.values.length > MAX_CHOICE_VALUES) throw new ValidationError(`${at}.values`, `must have at most ${MAX_CHOICE_VALUES} values`);
      const kind = typeof hp.values[0];
      hp.values.forEach((v, j) => {
        if (typeof v !== kind) throw new ValidationError(`${at}.values[${j}]`, 'all values must have the same type');
        if (typeof v === 'number' && !Number.isFinite(v)) throw new ValidationError(`${at}.values[${j}]`, 'must be a finite number');
      });
      if (new Set(hp.values).size !== hp.values.length) throw new ValidationError(`${at}.values`, 'must not repeat a value');
      return;
    }
    case 'fixed':
      if (typeof hp.value === 'number' && !Number.isFinite(hp.value)) throw new ValidationError(`${at}.value`, 'must be a finite number');
      return;
    case 'boolean':
      return;
  }
}

// A range's values are computed one at a time (discreteAt, discreteIndex), never listed, on every
// hot path: listing 100 int ranges of 100,000 values per suggestion took minutes for one grid step.

/** How many values a discrete hyperparameter takes; null when it is continuous. */
export function discreteCount(hp: Hyperparameter): number | null {
  switch (hp.type) {
    case 'choice': return hp.values.length;
    case 'boolean': return 2;
    case 'fixed': return 1;
    case 'int': return rangeCount(hp.min, hp.max, hp.step ?? 1);
    case 'float': return hp.step === undefined ? null : rangeCount(hp.min, hp.max, hp.step);
  }
}

/** The k-th value of a discrete hyperparameter (0 <= k < discreteCount). */
export function discreteAt(hp: Hyperparameter, k: number): HpValue {
  switch (hp.type) {
    case 'choice': return hp.values[k];
    case 'boolean': return k === 1;
    case 'fixed': return hp.value;
    case 'int':
    case 'float': return rangeAt(hp.min, hp.step ?? 1, k);
  }
}

/** Where a value sits among a discrete hyperparameter's values; -1 when it is not one of them. */
export function discreteIndex(hp: Hyperparameter, value: HpValue): number {
  if (hp.type !== 'int' && hp.type !== 'float') return discreteValues(hp)?.indexOf(value) ?? -1;
  const n = discreteCount(hp);
  if (n === null || typeof value !== 'number') return -1;
  const guess = Math.round((value - hp.min) / (hp.step ?? 1)) || 0; // || 0: no -0 index
  for (const k of [guess - 1, guess, guess + 1]) if (k >= 0 && k < n && rangeAt(hp.min, hp.step ?? 1, k) === value) return k;
  return -1;
}

/** The discrete values of a hyperparameter, or null when it is continuous. */
export function discreteValues(hp: Hyperparameter): HpValue[] | null {
  if (hp.type === 'choice') return hp.values;
  const n = discreteCount(hp);
  return n === null ? null : Array.from({ length: n }, (_, k) => discreteAt(hp, k));
}

const rangeCount = (min: number, max: number, step: number) => Math.floor((max - min) / step + 1e-9) + 1;
// Rounding keeps 0.1 + 2 * 0.1 from becoming 0.30000000000000004 in stored hyperparameters.
const rangeAt = (min: number, step: number, k: number) => Number((min + k * step).toPrecision(12));

/** How many distinct values; Infinity for a continuous float. */
export function cardinality(hp: Hyperparameter): number {
  return discreteCount(hp) ?? Infinity;
}

export function spaceCardinality(space: SearchSpace): number {
  return space.reduce((n, hp) => n * cardinality(hp), 1);
}

/** Maps u in [0, 1) to a value; log sampling is uniform in log space. */
export function fromUnit(hp: Hyperparameter, u: number): HpValue {
  const n = discreteCount(hp);
  const log = (hp.type === 'int' || hp.type === 'float') && hp.sampling === 'log';
  if (n !== null && !log) return discreteAt(hp, Math.min(n - 1, Math.floor(u * n)));
  if (hp.type !== 'int' && hp.type !== 'float') throw new Error('unreachable');
  const x = log ? Math.exp(Math.log(hp.min) + u * (Math.log(hp.max) - Math.log(hp.min))) : hp.min + u * (hp.max - hp.min);
  if (n === null) return x;
  return nearest(hp, n, x);
}

/** Inverse of fromUnit: the centre of the value's cell, so fromUnit(toUnit(v)) === v. */
export function toUnit(hp: Hyperparameter, value: HpValue): number {
  const n = discreteCount(hp);
  const log = (hp.type === 'int' || hp.type === 'float') && hp.sampling === 'log';
  if (n !== null && !log) return (Math.max(0, discreteIndex(hp, value)) + 0.5) / n;
  if (hp.type !== 'int' && hp.type !== 'float') throw new Error('unreachable');
  const v = value as number;
  if (log) return (Math.log(v) - Math.log(hp.min)) / (Math.log(hp.max) - Math.log(hp.min) || 1);
  return (v - hp.min) / (hp.max - hp.min || 1);
}

/** The range value nearest x (the lower one on a tie), from the three around x's position. */
function nearest(hp: Hyperparameter & { min: number }, n: number, x: number): number {
  const step = (hp as { step?: number }).step ?? 1;
  const guess = Math.round((x - hp.min) / step);
  let best = rangeAt(hp.min, step, Math.min(n - 1, Math.max(0, guess - 1)));
  for (const k of [guess, guess + 1]) {
    if (k < 0 || k >= n) continue;
    const v = rangeAt(hp.min, step, k);
    if (Math.abs(v - x) < Math.abs(best - x)) best = v;
  }
  return best;
}

/** A stable key for a combination, to tell whether it was tried already. */
export function comboKey(values: HpValues): string {
  return JSON.stringify(Object.keys(values).sort().map((k) => [k, values[k]]));
}

/** Checks a full set of values against the space (warm starts, stored trials). */
export function validateValues(space: SearchSpace, values: HpValues, path = 'hyperparameters'): void {
  for (const hp of space) {
    if (!(hp.name in values)) throw new ValidationError(`${path}.${hp.name}`, 'is missing');
    const v = values[hp.name];
    const discrete = discreteCount(hp) !== null;
    if (discrete && discreteIndex(hp, v) < 0) throw new ValidationError(`${path}.${hp.name}`, `${JSON.stringify(v)} is not one of the allowed values`);
    if (!discrete && (typeof v !== 'number' || v < (hp as { min: number }).min || v > (hp as { max: number }).max))
      throw new ValidationError(`${path}.${hp.name}`, 'is out of range');
  }
  for (const name of Object.keys(values))
    if (!space.some((hp) => hp.name === name)) throw new ValidationError(`${path}.${name}`, 'is not in the search space');
}
