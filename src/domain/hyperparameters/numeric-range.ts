// What int and float share: a range min..max, maybe stepped, sampled linearly or in log space.
import { ValidationError } from '../errors.js';
import type { FloatHp, HpValue, IntHp } from './definitions.js';
import { cellCentre, cellOf, notAllowed, type HpType } from './hp-type.js';

type Range = IntHp | FloatHp;

/**
 * Values an int (or stepped float) may take. The oracles and the template check enumerate them,
 * so an unbounded range would exhaust memory; past this, log sampling or a step is the answer.
 */
export const MAX_DISCRETE_VALUES = 100_000;

const stepOf = (hp: Range) => hp.step ?? 1;
/** How many values min, min + step, ... up to max holds. */
export const rangeCount = (hp: Range): number => Math.floor((hp.max - hp.min) / stepOf(hp) + 1e-9) + 1;
// Rounding keeps 0.1 + 2 * 0.1 from becoming 0.30000000000000004 in stored hyperparameters.
const rangeAt = (hp: Range, k: number) => Number((hp.min + k * stepOf(hp)).toPrecision(12));

/**
 * A range type. `count` is null for a continuous range; `integer` makes min, max and step exact
 * integers (beyond 2^53 they are no longer exact: min + k * step would skip or repeat values).
 */
export function rangeType<H extends Range>(count: (hp: H) => number | null, integer: boolean): HpType<H> {
  const indexOf = (hp: H, value: HpValue): number => {
    const n = count(hp);
    if (n === null || typeof value !== 'number') return -1;
    const guess = Math.round((value - hp.min) / stepOf(hp)) || 0; // || 0: no -0 index
    for (const k of [guess - 1, guess, guess + 1]) if (k >= 0 && k < n && rangeAt(hp, k) === value) return k;
    return -1;
  };
  const cells = (hp: H) => (hp.sampling === 'log' ? null : count(hp));
  return {
    validate: (hp, at) => validateRange(hp, at, integer, integer || hp.step !== undefined),
    count,
    at: rangeAt,
    indexOf,
    cells,
    fromUnit(hp, u) {
      const c = cells(hp);
      if (c !== null) return rangeAt(hp, cellOf(c, u));
      const x = hp.sampling === 'log' ? Math.exp(Math.log(hp.min) + u * (Math.log(hp.max) - Math.log(hp.min))) : hp.min + u * (hp.max - hp.min);
      const n = count(hp);
      return n === null ? x : nearest(hp, n, x);
    },
    toUnit(hp, value) {
      const c = cells(hp);
      if (c !== null) return cellCentre(c, indexOf(hp, value));
      // Number(): what the arithmetic would coerce anyway; a stored value is a number.
      const v = Number(value);
      if (hp.sampling === 'log') return (Math.log(v) - Math.log(hp.min)) / (Math.log(hp.max) - Math.log(hp.min) || 1);
      return (v - hp.min) / (hp.max - hp.min || 1);
    },
    rejects(hp, value) {
      if (count(hp) !== null) return indexOf(hp, value) < 0 ? notAllowed(value) : null;
      return typeof value !== 'number' || value < hp.min || value > hp.max ? 'is out of range' : null;
    },
  };
}

/** The range value nearest x (the lower one on a tie), from the three around x's position. */
function nearest(hp: Range, n: number, x: number): number {
  const guess = Math.round((x - hp.min) / stepOf(hp));
  let best = rangeAt(hp, Math.min(n - 1, Math.max(0, guess - 1)));
  for (const k of [guess, guess + 1]) {
    if (k < 0 || k >= n) continue;
    const v = rangeAt(hp, k);
    if (Math.abs(v - x) < Math.abs(best - x)) best = v;
  }
  return best;
}

function validateRange(hp: Range, at: string, integer: boolean, discrete: boolean): void {
  for (const key of ['min', 'max', 'step'] as const) {
    const v = hp[key];
    if (v === undefined) continue;
    if (!Number.isFinite(v)) throw new ValidationError(`${at}.${key}`, 'must be a finite number');
    if (integer && !Number.isSafeInteger(v)) throw new ValidationError(`${at}.${key}`, 'must be an integer (at most 2^53 in magnitude) for an int hyperparameter');
  }
  if (hp.min > hp.max) throw new ValidationError(`${at}.max`, `must be >= min (${hp.min})`);
  if (!Number.isFinite(hp.max - hp.min)) throw new ValidationError(`${at}.max`, 'max - min must be a finite number');
  if (hp.step !== undefined && hp.step <= 0) throw new ValidationError(`${at}.step`, 'must be > 0');
  if (hp.sampling === 'log' && hp.min <= 0) throw new ValidationError(`${at}.min`, 'must be > 0 with log sampling');
  const count = discrete ? (hp.max - hp.min) / stepOf(hp) + 1 : 0;
  if (count > MAX_DISCRETE_VALUES)
    throw new ValidationError(`${at}.${hp.step === undefined ? 'max' : 'step'}`, `the range holds ${Math.floor(count)} values, more than ${MAX_DISCRETE_VALUES}: narrow it or take a larger step`);
}
