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
        if (hp.type === 'int' && !Number.isInteger(v)) throw new ValidationError(`${at}.${key}`, 'must be an integer for an int hyperparameter');
      }
      if (hp.min > hp.max) throw new ValidationError(`${at}.max`, `must be >= min (${hp.min})`);
      if (hp.step !== undefined && hp.step <= 0) throw new ValidationError(`${at}.step`, 'must be > 0');
      if (hp.sampling === 'log' && hp.min <= 0) throw new ValidationError(`${at}.min`, 'must be > 0 with log sampling');
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

/** The discrete values of a hyperparameter, or null when it is continuous. */
export function discreteValues(hp: Hyperparameter): HpValue[] | null {
  switch (hp.type) {
    case 'choice': return hp.values;
    case 'boolean': return [false, true];
    case 'fixed': return [hp.value];
    case 'int': {
      if (hp.sampling === 'log' && hp.step === undefined) return range(hp.min, hp.max, 1);
      return range(hp.min, hp.max, hp.step ?? 1);
    }
    case 'float':
      return hp.step === undefined ? null : range(hp.min, hp.max, hp.step);
  }
}

function range(min: number, max: number, step: number): number[] {
  const n = Math.floor((max - min) / step + 1e-9) + 1;
  // Rounding keeps 0.1 + 2 * 0.1 from becoming 0.30000000000000004 in stored hyperparameters.
  return Array.from({ length: n }, (_, k) => Number((min + k * step).toPrecision(12)));
}

/** How many distinct values; Infinity for a continuous float. */
export function cardinality(hp: Hyperparameter): number {
  return discreteValues(hp)?.length ?? Infinity;
}

export function spaceCardinality(space: SearchSpace): number {
  return space.reduce((n, hp) => n * cardinality(hp), 1);
}

/** Maps u in [0, 1) to a value; log sampling is uniform in log space. */
export function fromUnit(hp: Hyperparameter, u: number): HpValue {
  const values = discreteValues(hp);
  const log = (hp.type === 'int' || hp.type === 'float') && hp.sampling === 'log';
  if (values && !log) return values[Math.min(values.length - 1, Math.floor(u * values.length))];
  if (hp.type !== 'int' && hp.type !== 'float') throw new Error('unreachable');
  const x = log ? Math.exp(Math.log(hp.min) + u * (Math.log(hp.max) - Math.log(hp.min))) : hp.min + u * (hp.max - hp.min);
  if (!values) return x;
  return nearest(values as number[], x);
}

/** Inverse of fromUnit: the centre of the value's cell, so fromUnit(toUnit(v)) === v. */
export function toUnit(hp: Hyperparameter, value: HpValue): number {
  const values = discreteValues(hp);
  const log = (hp.type === 'int' || hp.type === 'float') && hp.sampling === 'log';
  if (values && !log) return (Math.max(0, values.indexOf(value)) + 0.5) / values.length;
  if (hp.type !== 'int' && hp.type !== 'float') throw new Error('unreachable');
  const v = value as number;
  if (log) return (Math.log(v) - Math.log(hp.min)) / (Math.log(hp.max) - Math.log(hp.min) || 1);
  return (v - hp.min) / (hp.max - hp.min || 1);
}

function nearest(values: number[], x: number): number {
  let best = values[0];
  for (const v of values) if (Math.abs(v - x) < Math.abs(best - x)) best = v;
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
    const discrete = discreteValues(hp);
    if (discrete && !discrete.includes(v)) throw new ValidationError(`${path}.${hp.name}`, `${JSON.stringify(v)} is not one of the allowed values`);
    if (!discrete && (typeof v !== 'number' || v < (hp as { min: number }).min || v > (hp as { max: number }).max))
      throw new ValidationError(`${path}.${hp.name}`, 'is out of range');
  }
  for (const name of Object.keys(values))
    if (!space.some((hp) => hp.name === name)) throw new ValidationError(`${path}.${name}`, 'is not in the search space');
}
