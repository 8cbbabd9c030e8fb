// Hyperparameter types. As in Keras Tuner, each maps values to and from the unit interval, so
// every search algorithm handles every type through fromUnit/toUnit and never by type.
import { ValidationError } from './errors.js';

export type HpValue = number | string | boolean;
export type HpValues = Record<string, HpValue>;
export type Sampling = 'linear' | 'log';

/**
 * "Exists only when hyperparameter `hp` takes one of the values `in`" (Keras Tuner's
 * conditional_scope, parent_name/parent_values). An inactive hyperparameter is absent from a
 * trial's values, so a parent that is itself inactive makes its children inactive too.
 */
export interface Condition { hp: string; in: HpValue[] }
interface Base { name: string; when?: Condition }

export type Hyperparameter =
  | Base & { type: 'int'; min: number; max: number; step?: number; sampling?: Sampling }
  | Base & { type: 'float'; min: number; max: number; step?: number; sampling?: Sampling }
  | Base & { type: 'choice'; values: HpValue[] }
  | Base & { type: 'boolean' }
  | Base & { type: 'fixed'; value: HpValue };

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
    if (hp.when !== undefined) validateCondition(space.slice(0, i), hp.when, `${at}.when`, space);
  });
}

/**
 * A condition must name a discrete hyperparameter of `candidates` (for a hyperparameter: one
 * defined before it, so the space is walked in order and cannot loop) and list some of its values.
 */
export function validateCondition(candidates: SearchSpace, when: Condition, at: string, space: SearchSpace = candidates): void {
  if (typeof when !== 'object' || when === null || typeof when.hp !== 'string') throw new ValidationError(`${at}.hp`, 'must name a hyperparameter');
  const parent = candidates.find((hp) => hp.name === when.hp);
  if (!parent) {
    const later = space.findIndex((hp) => hp.name === when.hp);
    throw new ValidationError(`${at}.hp`, later < 0 ? `refers to unknown hyperparameter '${when.hp}'` : `must name a hyperparameter defined earlier in the list ('${when.hp}' is at hyperparameters[${later}])`);
  }
  if (discreteCount(parent) === null)
    throw new ValidationError(`${at}.hp`, `'${when.hp}' is a continuous float: a condition needs a discrete hyperparameter (choice, boolean, int, fixed, or a float with a step)`);
  if (!Array.isArray(when.in) || when.in.length === 0) throw new ValidationError(`${at}.in`, 'must list at least one value');
  const seen = new Set<HpValue>();
  when.in.forEach((v, j) => {
    if (discreteIndex(parent, v) < 0) throw new ValidationError(`${at}.in[${j}]`, `${JSON.stringify(v)} is not one of the values of '${when.hp}'`);
    if (seen.has(v)) throw new ValidationError(`${at}.in[${j}]`, `repeats ${JSON.stringify(v)}`);
    seen.add(v);
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

/** How many valid combinations (inactive hyperparameters absent); Infinity with a continuous float. */
export function spaceCardinality(space: SearchSpace): number {
  return new SpaceTree(space, cardinality).total;
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

/** Checks a full set of values against the space (warm starts, stored trials): active ones present, inactive ones absent. */
export function validateValues(space: SearchSpace, values: HpValues, path = 'hyperparameters'): void {
  for (const hp of space) {
    if (!isActive(hp, values)) {
      if (!Object.hasOwn(values, hp.name)) continue;
      const parent = hp.when!.hp;
      const why = Object.hasOwn(values, parent) ? `${parent}=${JSON.stringify(values[parent])}` : `${parent} is not active`;
      throw new ValidationError(`${path}.${hp.name}`, `is not active when ${why}`);
    }
    if (!Object.hasOwn(values, hp.name)) throw new ValidationError(`${path}.${hp.name}`, 'is missing');
    const v = values[hp.name];
    const discrete = discreteCount(hp) !== null;
    if (discrete && discreteIndex(hp, v) < 0) throw new ValidationError(`${path}.${hp.name}`, `${JSON.stringify(v)} is not one of the allowed values`);
    if (!discrete && (typeof v !== 'number' || v < (hp as { min: number }).min || v > (hp as { max: number }).max))
      throw new ValidationError(`${path}.${hp.name}`, 'is out of range');
  }
  for (const name of Object.keys(values))
    if (!space.some((hp) => hp.name === name)) throw new ValidationError(`${path}.${name}`, 'is not in the search space');
}

// Conditional spaces. Parents come before their children, so walking the space in order decides
// each hyperparameter's activity from values already taken.

/** Whether a condition holds for these values; no condition always holds. An absent parent fails it. */
export const conditionHolds = (when: Condition | undefined, values: HpValues): boolean =>
  when === undefined || (Object.hasOwn(values, when.hp) && when.in.includes(values[when.hp]));

export const isActive = (hp: Hyperparameter, values: HpValues): boolean => conditionHolds(hp.when, values);

/** The values of the hyperparameters active under them, in the space's order (others dropped). */
export function activeValues(space: SearchSpace, values: HpValues): HpValues {
  return sampleActive(space, (hp) => values[hp.name], (hp) => Object.hasOwn(values, hp.name));
}

/** Draws a value for each active hyperparameter, in order; the inactive ones draw nothing. */
export function sampleActive(space: SearchSpace, draw: (hp: Hyperparameter) => HpValue, has: (hp: Hyperparameter) => boolean = () => true): HpValues {
  const out: HpValues = {};
  for (const hp of space) {
    // defineProperty: a hyperparameter may be called __proto__, which plain assignment would not store.
    if (isActive(hp, out) && has(hp)) Object.defineProperty(out, hp.name, { value: draw(hp), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * The space as a forest, each hyperparameter under the one its condition names. Given a parent's
 * value its children's subtrees are independent, so a subtree's combinations are, summed over the
 * parent's values, the product of the subtrees active at each: counting and indexing stay cheap.
 * `size` is how many values a hyperparameter takes (its grid points, for the grid).
 */
export class SpaceTree {
  readonly roots: Hyperparameter[];
  private readonly kids = new Map<string, Hyperparameter[]>();
  private readonly counts = new Map<string, number>();
  private readonly blockCache = new Map<string, [number, number][]>();

  constructor(space: SearchSpace, private readonly size: (hp: Hyperparameter) => number) {
    this.roots = space.filter((hp) => !hp.when);
    for (const hp of space) if (hp.when) this.kids.set(hp.when.hp, [...(this.kids.get(hp.when.hp) ?? []), hp]);
  }

  get total(): number {
    return this.roots.reduce((n, hp) => n * this.count(hp), 1);
  }

  /** The children active when `hp` takes `value`, in the space's order. */
  children(hp: Hyperparameter, value: HpValue): Hyperparameter[] {
    return (this.kids.get(hp.name) ?? []).filter((c) => c.when!.in.includes(value));
  }

  /** Combinations of `hp` and the hyperparameters under it, `hp` being active. */
  count(hp: Hyperparameter): number {
    let n = this.counts.get(hp.name);
    if (n === undefined) {
      const blocks = this.blocks(hp);
      // A value no child depends on is one combination; the others, their children's product.
      n = this.size(hp) - blocks.length + blocks.reduce((sum, [, b]) => sum + b, 0);
      this.counts.set(hp.name, n);
    }
    return n;
  }

  /** The value indices some child depends on, ascending, each with its number of combinations. */
  blocks(hp: Hyperparameter): [number, number][] {
    let blocks = this.blockCache.get(hp.name);
    if (!blocks) {
      const product = new Map<number, number>();
      for (const child of this.kids.get(hp.name) ?? []) {
        for (const k of new Set(child.when!.in.map((v) => discreteIndex(hp, v))))
          if (k >= 0) product.set(k, (product.get(k) ?? 1) * this.count(child));
      }
      blocks = [...product].sort((a, b) => a[0] - b[0]);
      this.blockCache.set(hp.name, blocks);
    }
    return blocks;
  }
}
